#!/usr/bin/env bash
# The deployment files, checked without a cluster:
#   - deploy/kubernetes/*.yaml parse (python3-yaml) and the DaemonSet has what
#     it must: hostNetwork, exactly the capabilities of deploy/wirelat.service
#     (BPF, NET_ADMIN, PERFMON) and all others dropped, bpffs and
#     /sys/kernel/btf mounted read-only, interfaces from the ConfigMap,
#     --listen :9745 with a liveness probe on /healthz at that port,
#     prometheus.io annotations; the PodMonitor selects its pods and port;
#   - the shell commands of the DaemonSet and of the systemd unit turn
#     WIRELAT_INTERFACES="a b" into "-i a -i b" (run against a stub binary);
#   - promtool check config deploy/prometheus.yml; Debian's promtool is built
#     without Kubernetes service discovery, so where it rejects
#     kubernetes_sd_configs the file is checked without that job, and the job
#     is checked here: its relabeling, applied to the DaemonSet's pod, must
#     give <pod IP>:9745/metrics with the node as instance.
# No network, no root needed. Exit 0 pass, 1 fail, 77 python3-yaml missing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d /tmp/wl-deploy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

$PY -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml missing (Debian: python3-yaml)"; exit 77; }

# ---------------------------------------------------------------- manifests
$PY - "$ROOT" "$tmp" <<'PY' || FAILS=$((FAILS + 1))
import glob, os, re, shlex, subprocess, sys
import yaml

root, tmp = sys.argv[1], sys.argv[2]
fails = 0
def ok(msg): print("ok:", msg)
def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)
def check(cond, msg):
    ok(msg) if cond else fail(msg)

docs = {}
for path in sorted(glob.glob(os.path.join(root, "deploy/kubernetes/*.yaml"))):
    try:
        for d in yaml.safe_load_all(open(path)):
            if d:
                docs.setdefault(d.get("kind"), []).append((os.path.basename(path), d))
    except yaml.YAMLError as e:
        fail("%s does not parse: %s" % (path, e))
print("parsed: " + ", ".join("%s (%s)" % (k, v[0][0]) for k, v in sorted(docs.items())))
for kind in ("Namespace", "ConfigMap", "DaemonSet", "PodMonitor", "Kustomization"):
    check(len(docs.get(kind, [])) == 1, "one %s" % kind)
if fails:
    sys.exit(1)

ns = docs["Namespace"][0][1]
cm = docs["ConfigMap"][0][1]
ds = docs["DaemonSet"][0][1]
pm = docs["PodMonitor"][0][1]
kz = docs["Kustomization"][0][1]
name_ns = ns["metadata"]["name"]

# everything in the one namespace, admitted by Pod Security
for kind, d in (("ConfigMap", cm), ("DaemonSet", ds), ("PodMonitor", pm)):
    check(d["metadata"].get("namespace") == name_ns, "%s in namespace %s" % (kind, name_ns))
check(ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "privileged",
      "namespace admits hostNetwork/hostPath/capabilities (pod-security enforce=privileged)")
files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "deploy/kubernetes/*.yaml")))
check(sorted(kz.get("resources", []) + ["kustomization.yaml"]) == files,
      "kustomization lists every manifest: %s" % kz.get("resources"))

# DaemonSet
check(ds.get("apiVersion") == "apps/v1", "DaemonSet apps/v1")
spec = ds["spec"]
tpl = spec["template"]
pod = tpl["spec"]
labels = tpl["metadata"].get("labels", {})
check(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
      "selector %s matches the pod labels" % spec["selector"]["matchLabels"])
check(pod.get("hostNetwork") is True, "hostNetwork: true")
cs = pod["containers"]
check(len(cs) == 1, "one container")
c = cs[0]
sc = c.get("securityContext", {})
caps = sc.get("capabilities", {})
unit = open(os.path.join(root, "deploy/wirelat.service")).read()
def unit_set(key):
    vals = []
    for line in unit.splitlines():
        if line.startswith(key + "="):
            vals += line.split("=", 1)[1].split()
    return {v[4:] if v.startswith("CAP_") else v for v in vals}
ambient, bounding = unit_set("AmbientCapabilities"), unit_set("CapabilityBoundingSet")
check("time-sync.target" in unit_set("After"),
      "wirelat.service starts after time-sync.target (records carry wall-clock time)")
check(set(caps.get("add", [])) == {"BPF", "NET_ADMIN", "PERFMON"},
      "capabilities add %s" % caps.get("add"))
check(set(caps.get("add", [])) == ambient == bounding,
      "same capabilities as wirelat.service (ambient %s, bounding %s)" % (sorted(ambient), sorted(bounding)))
check(caps.get("drop") == ["ALL"], "capabilities drop ALL")
check(not sc.get("privileged", False), "not privileged")
check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false")
check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem: true")

vols = {v["name"]: v for v in pod.get("volumes", [])}
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
for path in ("/sys/fs/bpf", "/sys/kernel/btf"):
    m = mounts.get(path)
    v = vols.get(m["name"]) if m else None
    check(m is not None and m.get("readOnly") is True and v is not None
          and v.get("hostPath", {}).get("path") == path,
          "%s: hostPath mounted read-only" % path)

env_cm = [e["configMapRef"]["name"] for e in c.get("envFrom", []) if "configMapRef" in e]
env_cm += [e["valueFrom"]["configMapKeyRef"]["name"] for e in c.get("env", [])
           if "valueFrom" in e and "configMapKeyRef" in e["valueFrom"]]
check(cm["metadata"]["name"] in env_cm, "environment from ConfigMap %s" % cm["metadata"]["name"])
check("WIRELAT_INTERFACES" in cm.get("data", {}) and "WIRELAT_ARGS" in cm.get("data", {}),
      "ConfigMap has WIRELAT_INTERFACES=%r and WIRELAT_ARGS=%r" %
      (cm["data"].get("WIRELAT_INTERFACES"), cm["data"].get("WIRELAT_ARGS")))

cmd = c.get("command", []) + c.get("args", [])
script = cmd[2] if cmd[:2] == ["/bin/sh", "-c"] and len(cmd) == 3 else None
check(script is not None, "command is /bin/sh -c SCRIPT")
check(script is not None and re.search(r'--listen :9745(\s|$)', script) is not None,
      "wirelat listens on :9745 (all addresses of the node)")
ports = {p.get("name"): p for p in c.get("ports", [])}
probe = c.get("livenessProbe", {}).get("httpGet", {})
pport = probe.get("port")
pnum = ports[pport]["containerPort"] if pport in ports else pport
check(probe.get("path") == "/healthz" and pnum == 9745,
      "livenessProbe GET /healthz on port %s (%s)" % (pport, pnum))
ann = tpl["metadata"].get("annotations", {})
check(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == "9745"
      and ann.get("prometheus.io/path", "/metrics") == "/metrics",
      "prometheus.io annotations: scrape %r, port %r, path %r" %
      (ann.get("prometheus.io/scrape"), ann.get("prometheus.io/port"), ann.get("prometheus.io/path")))

# PodMonitor
check(pm.get("apiVersion") == "monitoring.coreos.com/v1", "PodMonitor monitoring.coreos.com/v1")
pms = pm["spec"]
check(all(labels.get(k) == v for k, v in pms["selector"]["matchLabels"].items()),
      "PodMonitor selects the DaemonSet's pods")
check(name_ns in pms.get("namespaceSelector", {}).get("matchNames", []),
      "PodMonitor looks in namespace %s" % name_ns)
eps = pms.get("podMetricsEndpoints", [])
check(len(eps) == 1 and eps[0].get("port") in ports and eps[0].get("path", "/metrics") == "/metrics",
      "PodMonitor scrapes port %r (/metrics)" % (eps[0].get("port") if eps else None))
for r in eps[0].get("relabelings", []) if eps else []:
    bad = set(r) - {"sourceLabels", "separator", "targetLabel", "regex", "modulus",
                    "replacement", "action"}
    check(not bad, "PodMonitor relabeling fields %s" % sorted(r))

# the commands: "-i" per interface, against a stub wirelat
stub = os.path.join(tmp, "stub")
with open(stub, "w") as f:
    f.write('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >"$STUB_OUT"\n')
os.chmod(stub, 0o755)
out = os.path.join(tmp, "argv")
def run(script, binary, ifaces, args):
    """(exit status, argv the binary got, stderr); the argv through a file,
    as the DaemonSet sends wirelat's standard output to /dev/null"""
    env = {"PATH": "/usr/bin:/bin", "WIRELAT_INTERFACES": ifaces, "WIRELAT_ARGS": args,
           "STUB_OUT": out}
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run(["/bin/sh", "-c", script.replace(binary, stub)], env=env,
                       capture_output=True, text=True, cwd=tmp)
    got = open(out).read().split("\n")[:-1] if os.path.exists(out) else []
    return p.returncode, got, p.stderr.strip()
# systemd: ExecStart= as systemd would run it ($$ is a literal $)
execs = [l.split("=", 1)[1] for l in unit.splitlines() if l.startswith("ExecStart=")]
argv = shlex.split(execs[0].replace("$$", "$")) if len(execs) == 1 else []
check(argv[:2] == ["/bin/sh", "-c"] and len(argv) == 3, "wirelat.service: ExecStart=/bin/sh -c SCRIPT")
open(os.path.join(tmp, "*"), "w").close()   # a glob must not expand
cases = [("eth0 eth1", "--dns-port 53 --dns-port 5353",
          ["-i", "eth0", "-i", "eth1", "--dns-port", "53", "--dns-port", "5353"]),
         ("  eth0\tbond0.100 ", "", ["-i", "eth0", "-i", "bond0.100"]),
         ("*", "", ["-i", "*"])]
for label, script, binary, extra in (("DaemonSet", script, "/usr/sbin/wirelat", ["--listen", ":9745"]),
                                     ("wirelat.service", argv[2] if len(argv) == 3 else "",
                                      "/usr/local/sbin/wirelat", [])):
    for ifaces, args, want in cases:
        rc, got, err = run(script, binary, ifaces, args)
        check(rc == 0 and got == want + extra,
              "%s: WIRELAT_INTERFACES=%r WIRELAT_ARGS=%r -> %s" % (label, ifaces, args, " ".join(got)))
    rc, got, err = run(script, binary, "", "")
    check(rc == 2 and not got and "WIRELAT_INTERFACES" in err,
          "%s: no interfaces -> exit %d, %r" % (label, rc, err))
sys.exit(1 if fails else 0)
PY

# ---------------------------------------------------------------- prometheus.yml
if ! command -v promtool >/dev/null; then
	fail "promtool missing (Debian: prometheus; tests/deps.sh)"
else
	if promtool check config "$ROOT/deploy/prometheus.yml" >"$tmp/promtool.out" 2>&1; then
		ok "promtool check config deploy/prometheus.yml: $(grep -c SUCCESS "$tmp/promtool.out") SUCCESS lines"
	elif grep -q 'field kubernetes_sd_configs not found' "$tmp/promtool.out"; then
		echo "note: this promtool ($(promtool --version 2>&1 | head -1 | awk '{print $3}')) is built without Kubernetes service discovery (Debian); checking the file without its kubernetes_sd_configs jobs"
		# rule_files made absolute: they resolve as from the original
		cp="$tmp/prometheus-without-kubernetes-sd.yml"
		$PY - "$ROOT/deploy/prometheus.yml" "$cp" <<'PY'
import os, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["scrape_configs"] = [j for j in c["scrape_configs"] if "kubernetes_sd_configs" not in j]
d = os.path.dirname(os.path.abspath(sys.argv[1]))
c["rule_files"] = [os.path.normpath(os.path.join(d, r)) for r in c.get("rule_files", [])]
yaml.safe_dump(c, open(sys.argv[2], "w"), sort_keys=False)
PY
		if promtool check config "$cp" >"$tmp/promtool2.out" 2>&1; then
			ok "promtool check config (without the kubernetes_sd job): $(grep SUCCESS "$tmp/promtool2.out" | tr -s ' ' | tr '\n' ' ')"
		else
			cat "$tmp/promtool2.out"
			fail "promtool check config deploy/prometheus.yml (without the kubernetes_sd job)"
		fi
	else
		cat "$tmp/promtool.out"
		fail "promtool check config deploy/prometheus.yml"
	fi
	# the relabeling of both jobs, applied to what they will see
	$PY - "$ROOT" <<'PY' || FAILS=$((FAILS + 1))
import os, re, sys, yaml
root = sys.argv[1]
fails = 0
def check(cond, msg):
    global fails
    print(("ok: " if cond else "FAIL: ") + msg)
    fails += 0 if cond else 1

def relabel(labels, rules):
    """Prometheus relabeling, actions replace (default), keep, drop."""
    labels = dict(labels)
    for r in rules:
        action = r.get("action", "replace")
        src = r.get("separator", ";").join(labels.get(l, "") for l in r.get("source_labels", []))
        rx = re.compile("(?:%s)" % r.get("regex", "(.*)"))
        m = rx.fullmatch(src)
        if action == "keep":
            if not m:
                return None
        elif action == "drop":
            if m:
                return None
        elif action == "replace":
            if m:
                rep = re.sub(r"\$\{?(\d+)\}?", lambda g: m.group(int(g.group(1))) or "",
                             r.get("replacement", "$1"))
                if rep:
                    labels[r["target_label"]] = rep
                else:
                    labels.pop(r["target_label"], None)
        else:
            raise SystemExit("relabel action %s not simulated" % action)
    return labels

conf = yaml.safe_load(open(os.path.join(root, "deploy/prometheus.yml")))
jobs = {j["job_name"]: j for j in conf["scrape_configs"]}
rules = conf.get("rule_files", [])
for r in rules:
    check(os.path.isfile(os.path.normpath(os.path.join(root, "deploy", r))), "rule file %s exists" % r)
static = [j for j in jobs.values() if "static_configs" in j]
k8s = [j for j in jobs.values() if "kubernetes_sd_configs" in j]
check(len(static) >= 1 and len(k8s) == 1, "static and kubernetes_sd jobs: %s" % sorted(jobs))
for j in static:
    for sc in j["static_configs"]:
        for t in sc["targets"]:
            out = relabel({"__address__": t, "job": j["job_name"]}, j.get("relabel_configs", []))
            check(out is not None and out.get("instance") == t.rsplit(":", 1)[0] and t.endswith(":9745"),
                  "static %s -> instance %s" % (t, out and out.get("instance")))
j = k8s[0]
sd = j["kubernetes_sd_configs"][0]
check(sd.get("role") == "pod", "kubernetes_sd role pod")
ds = [d for f in ("daemonset.yaml",) for d in yaml.safe_load_all(open(os.path.join(root, "deploy/kubernetes", f))) if d]
ds = ds[0]
tpl = ds["spec"]["template"]["metadata"]
check(ds["metadata"]["namespace"] in sd.get("namespaces", {}).get("names", []),
      "kubernetes_sd looks in namespace %s" % ds["metadata"]["namespace"])
def meta(k):
    return re.sub(r"[^a-zA-Z0-9_]", "_", k)
pod = {"__address__": "203.0.113.7", "__meta_kubernetes_pod_ip": "203.0.113.7",
       "__meta_kubernetes_pod_node_name": "node-7", "__meta_kubernetes_pod_name": "wirelat-x7k2p",
       "__metrics_path__": "/metrics", "job": j["job_name"]}
for k, v in tpl.get("labels", {}).items():
    pod["__meta_kubernetes_pod_label_" + meta(k)] = v
for k, v in tpl.get("annotations", {}).items():
    pod["__meta_kubernetes_pod_annotation_" + meta(k)] = v
out = relabel(pod, j.get("relabel_configs", []))
check(out is not None and out["__address__"] == "203.0.113.7:9745" and out["__metrics_path__"] == "/metrics"
      and out.get("instance") == "node-7",
      "a DaemonSet pod is scraped at %s%s, instance %s" %
      (out and out["__address__"], out and out["__metrics_path__"], out and out.get("instance")))
other = dict(pod)
other["__meta_kubernetes_pod_label_app_kubernetes_io_name"] = "something-else"
check(relabel(other, j.get("relabel_configs", [])) is None, "a pod of another app is not scraped")
sys.exit(1 if fails else 0)
PY
fi

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
