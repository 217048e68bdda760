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

/* The line of a statistics log that starts with key, without its newline. */
static void print_stat(const char *log, const char *key)
{
	const char *s = strstr(log, key);

	if (s)
		printf("  %.*s\n", (int)strcspn(s, "\n"), s);
}

int main(int argc, char **argv)
{
	enum { MAX_PROGS = 16, STATS_SIZE = 4096 };
	static char stats[MAX_PROGS][STATS_SIZE];
	struct bpf_object *obj;
	struct bpf_program *p;
	char *log;
	int err, i = 0;

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
	/*
	 * Statistics only (level 4) for every program: a full log (level 1)
	 * costs more time than the verification itself. On a failure the
	 * load is repeated with the full log of the first program.
	 */
	bpf_object__for_each_program(p, obj) {
		if (i < MAX_PROGS) {
			bpf_program__set_log_buf(p, stats[i++], STATS_SIZE);
			bpf_program__set_log_level(p, 4);
		}
	}
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		obj = bpf_object__open(argv[1]);
		log = malloc(LOG_SIZE);
		if (!obj || !log)
			return 1;
		log[0] = 0;
		bpf_object__for_each_program(p, obj) {
			bpf_program__set_log_buf(p, log, LOG_SIZE);
			bpf_program__set_log_level(p, 1 | 4);
			break;
		}
		bpf_object__load(obj);
		{
			size_t n = strlen(log);
			const char *tail = n > 6000 ? log + n - 6000 : log;

			printf("load failed (%d); end of the first program's log:\n%s\n", err, tail);
		}
		free(log);
		bpf_object__close(obj);
		return 1;
	}
	i = 0;
	bpf_object__for_each_program(p, obj) {
		printf("%s\n", bpf_program__name(p));
		if (i < MAX_PROGS) {
			print_stat(stats[i], "verification time");
			print_stat(stats[i], "stack depth");
			print_stat(stats[i], "processed");
			i++;
		}
	}
	bpf_object__close(obj);
	return 0;
}
