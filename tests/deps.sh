#!/usr/bin/env bash
# Install the Debian packages wirelat builds and tests with; nothing when
# they are all present. Needs root (apt-get) when something is missing.
set -euo pipefail

pkgs=(clang llvm make gcc pkg-config libc6-dev libbpf-dev libxdp-dev xdp-tools
      bpftool libelf-dev zlib1g-dev libpcap-dev libmicrohttpd-dev libpsl-dev tcpreplay
      tcpdump tshark prometheus dnsmasq-base dnsutils python3-scapy iproute2 tmux iperf3
      libclang-rt-dev  # clang's ASan, UBSan and libFuzzer: SANITIZE=1, make fuzz
      libgnutls28-dev libyaml-dev libcrypt-dev openssl curl)  # --web-config

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install ${missing[*]} (run: sudo make test)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, quietly
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
