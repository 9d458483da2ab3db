// SPDX-License-Identifier: BSD-3-Clause
/*
 * seccomp_exec - run a command under the seccomp filters a systemd unit's
 * settings make, for tests/test_systemd.sh (this machine has no systemd
 * as PID 1 to apply them):
 *
 *   seccomp_exec --allow NR,NR,... [--errno N] [--families F,F,...]
 *                [--mdwe] -- COMMAND [ARG...]
 *
 *   --allow      SystemCallFilter= expanded to syscall numbers (the test
 *                expands the groups with systemd-analyze syscall-filter);
 *                any other syscall fails with --errno (SystemCallErrorNumber=,
 *                default EPERM); a syscall of another architecture too
 *                (SystemCallArchitectures=native)
 *   --families   RestrictAddressFamilies=: socket() of another family fails
 *                with EAFNOSUPPORT, as systemd makes it
 *   --mdwe       MemoryDenyWriteExecute=yes: mmap() of memory both
 *                writable and executable, and mprotect()/pkey_mprotect()
 *                making memory executable, fail with EPERM
 *
 * The filter is classic BPF, installed with no_new_privs (as systemd does
 * for a unit that is not root), and is kept across the exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define MAX_INSNS 4096

static struct sock_filter prog[MAX_INSNS];
static int n;

static void emit(struct sock_filter f)
{
	if (n == MAX_INSNS) {
		fprintf(stderr, "seccomp_exec: filter too long\n");
		exit(2);
	}
	prog[n++] = f;
}

#define LD(off) emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(v) emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))
/* if A == k: run the next insn, else skip it */
#define IF_EQ(k) emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, 1))
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define NR offsetof(struct seccomp_data, nr)

static int parse_list(char *s, long *out, int max)
{
	int k = 0;

	for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
		char *end;

		if (k == max)
			return -1;
		out[k++] = strtol(t, &end, 0);
		if (*end)
			return -1;
	}
	return k;
}

/* @nr with a mask check on argument @arg: fails with EPERM when set */
static void deny_prot(long nr, int arg, unsigned int mask, unsigned int bad)
{
	LD(NR);
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
	LD(ARG_LO(arg));
	emit((struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask));
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, bad, 0, 1));
	RET(SECCOMP_RET_ERRNO | EPERM);
}

int main(int argc, char **argv)
{
	static long allow[2048], fam[64];
	int n_allow = 0, n_fam = 0, mdwe = 0, i;
	long err_no = EPERM;
	struct sock_fprog fp;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--allow") && i + 1 < argc)
			n_allow = parse_list(argv[++i], allow, 2048);
		else if (!strcmp(argv[i], "--families") && i + 1 < argc)
			n_fam = parse_list(argv[++i], fam, 64);
		else if (!strcmp(argv[i], "--errno") && i + 1 < argc)
			err_no = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--mdwe"))
			mdwe = 1;
		else
			break;
	}
	if (i >= argc - 1 || strcmp(argv[i], "--") || n_allow <= 0 || n_fam < 0) {
		fprintf(stderr, "usage: seccomp_exec --allow NR,... [--errno N] [--families F,...] [--mdwe] -- COMMAND [ARG...]\n");
		return 2;
	}
	/* SystemCallArchitectures=native: x86-64 numbers only (not x32) */
	LD(offsetof(struct seccomp_data, arch));
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	RET(SECCOMP_RET_ERRNO | (err_no & SECCOMP_RET_DATA));
	LD(NR);
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
	RET(SECCOMP_RET_ERRNO | (err_no & SECCOMP_RET_DATA));
	if (n_fam > 0) {	/* socket(family, ...) */
		LD(NR);
		emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, (unsigned)(n_fam * 2 + 2)));
		LD(ARG_LO(0));
		for (int k = 0; k < n_fam; k++) {
			IF_EQ(fam[k]);
			RET(SECCOMP_RET_ALLOW);
		}
		RET(SECCOMP_RET_ERRNO | EAFNOSUPPORT);
	}
	if (mdwe) {
		deny_prot(SYS_mmap, 2, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC);
		deny_prot(SYS_mprotect, 2, PROT_EXEC, PROT_EXEC);
		deny_prot(SYS_pkey_mprotect, 2, PROT_EXEC, PROT_EXEC);
	}
	LD(NR);
	for (int k = 0; k < n_allow; k++) {
		IF_EQ(allow[k]);
		RET(SECCOMP_RET_ALLOW);
	}
	RET(SECCOMP_RET_ERRNO | (err_no & SECCOMP_RET_DATA));
	fp.len = n;
	fp.filter = prog;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp)) {
		perror("seccomp_exec: installing the filter");
		return 2;
	}
	execvp(argv[i + 1], argv + i + 1);
	perror("seccomp_exec: exec");
	return 127;
}
