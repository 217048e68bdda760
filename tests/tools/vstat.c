// SPDX-License-Identifier: GPL-2.0
/*
 * vstat OBJ: load every program of a BPF object and print the verifier's
 * statistics, or the end of its log when one fails. A development aid for
 * keeping the data path's verification cost in view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#define LOG_SIZE (64u << 20)

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	char *log;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: vstat OBJ\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open(argv[1]);
	if (!obj) {
		fprintf(stderr, "vstat: open %s failed\n", argv[1]);
		return 1;
	}
	log = malloc(LOG_SIZE);
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_log_buf(p, log, LOG_SIZE);
		bpf_program__set_log_level(p, 1 | 4);
		break;
	}
	log[0] = 0;
	err = bpf_object__load(obj);
	if (err) {
		size_t n = strlen(log);
		const char *tail = n > 6000 ? log + n - 6000 : log;

		printf("load failed (%d); end of the first program's log:\n%s\n", err, tail);
	}
	bpf_object__for_each_program(p, obj)
		printf("%-24s %s\n", bpf_program__name(p), bpf_program__fd(p) >= 0 ? "loaded" : "-");
	if (!err) {
		char *s = strstr(log, "processed");

		if (s)
			printf("first program: %.*s\n", (int)strcspn(s, "\n"), s);
	}
	bpf_object__close(obj);
	free(log);
	return err ? 1 : 0;
}
