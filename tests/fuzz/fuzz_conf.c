// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the CLI's configuration parser (user/conf.c), which
 * takes `config set KEY VALUE` and `attach --config FILE` from users:
 *   input = one byte choosing the key (or an unknown one), then the value.
 * A refused value must leave the state as it was and say why; an accepted
 * one must read back (conf_get) as a value that sets the very same state.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"

static void die(const char *what, const char *key, const char *value)
{
	fprintf(stderr, "fuzz_conf: %s (key '%s', value '%s')\n", what, key, value);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_state st, before, again;
	char why[256], value[512], back[4096];
	const struct conf_key *k;
	const char *key;
	int rc;

	if (size < 1)
		return 0;
	key = data[0] < conf_nkeys ? conf_keys[data[0]].name : "no-such-key";
	size = size - 1 < sizeof(value) - 1 ? size - 1 : sizeof(value) - 1;
	memcpy(value, data + 1, size);
	value[size] = 0;

	memset(&st, 0, sizeof(st));
	/* A state with something in it: ports from the second half of the input. */
	st.ports[(size * 257) % XDPCT_PORTS] = PORT_PROTECTED;
	st.cfg.msl_ms = 60000;
	before = st;
	why[0] = 0;
	rc = conf_set(&st, key, value, why, sizeof(why));
	if (rc != 0 && rc != -EINVAL && rc != -ENOENT)
		die("conf_set returned neither 0, -EINVAL nor -ENOENT", key, value);
	if (rc) {
		if (memcmp(&st, &before, sizeof(st)))
			die("a refused value changed the state", key, value);
		if (!why[0] || !memchr(why, 0, sizeof(why)))
			die("a refused value without a reason", key, value);
		return 0;
	}
	k = conf_find(key);
	if (!k)
		die("an unknown key was accepted", key, value);
	conf_get(&st, k, back, sizeof(back));
	again = before;
	if (conf_set(&again, key, back, why, sizeof(why)))
		die("the value read back is refused", key, back);
	if (memcmp(&again, &st, sizeof(st)))
		die("the value read back sets another state", key, back);
	return 0;
}
