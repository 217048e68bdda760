// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"

void filter_init(struct flow_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->state = -1;
	f->port = -1;
}

int ct_state_parse(const char *s)
{
	char up[32];
	size_t i;
	int st;

	if (strlen(s) >= sizeof(up))
		return -1;
	for (i = 0; s[i]; i++)
		up[i] = s[i] == '-' ? '_' : (char)toupper((unsigned char)s[i]);
	up[i] = '\0';
	for (st = 0; st < CT__MAX; st++)
		if (!strcmp(up, xdpct_ct_state_name((unsigned int)st)))
			return st;
	return -1;
}

static int parse_prefix(struct flow_filter *f, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long plen;

	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, f->addr) == 1)
		f->family = 4;
	else if (inet_pton(AF_INET6, buf, f->addr) == 1)
		f->family = 6;
	else
		return -EINVAL;
	f->plen = f->family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (errno || *end || !*slash || plen < 0 || plen > f->plen)
			return -EINVAL;
		f->plen = (int)plen;
	}
	return 0;
}

int filter_opt(struct flow_filter *f, int key, const char *arg, const struct cli_cmd *cmd)
{
	static const struct {
		int key;
		const char *name;
	} one_value[] = { { OPT_F_STATE, "state" },
			  { OPT_F_ADDR, "addr" },
			  { OPT_F_PORT, "port" },
			  { OPT_F_IFACE, "iface" } };
	char *end;
	size_t i;
	long v;

	for (i = 0; i < sizeof(one_value) / sizeof(one_value[0]); i++) {
		if (one_value[i].key != key)
			continue;
		if (f->given & 1u << i)
			return -cli_usage(cmd, "--%s: given twice (it takes one value)",
					  one_value[i].name);
		f->given |= 1u << i;
	}
	switch (key) {
	case OPT_F_STATE:
		f->state = ct_state_parse(arg);
		if (f->state < 0)
			return -cli_usage(cmd, "--state: '%s' is not a state (ESTABLISHED, TIME_WAIT ...)",
					  arg);
		return 1;
	case OPT_F_ADDR:
		if (parse_prefix(f, arg))
			return -cli_usage(cmd, "--addr: '%s' is not an address or ADDR/LEN prefix", arg);
		return 1;
	case OPT_F_PORT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || !*arg || v < 1 || v > 65535)
			return -cli_usage(cmd, "--port: '%s' is not a port from 1 to 65535", arg);
		f->port = (int)v;
		return 1;
	case OPT_F_IFACE:
		f->ifindex = if_nametoindex(arg);
		if (!f->ifindex)
			return -cli_usage(cmd, "--iface: %s: interface not found", arg);
		return 1;
	}
	return 0;
}

static bool prefix_match(const struct flow_filter *f, const __u32 *addr, int family)
{
	const __u8 *a = (const __u8 *)addr;
	int full = f->plen / 8, rest = f->plen % 8;

	if (family != f->family)
		return false;
	if (memcmp(a, f->addr, (size_t)full))
		return false;
	if (rest) {
		__u8 mask = (__u8)(0xff << (8 - rest));

		return (a[full] & mask) == (f->addr[full] & mask);
	}
	return true;
}

bool filter_match(const struct flow_filter *f, const struct xdpct_flow_key *k, unsigned int state,
		  unsigned int ifindex)
{
	if (f->state >= 0 && state != (unsigned int)f->state)
		return false;
	if (f->ifindex && ifindex != f->ifindex)
		return false;
	if (f->port >= 0 && ntohs(k->port_a) != f->port && ntohs(k->port_b) != f->port)
		return false;
	if (f->family && !prefix_match(f, k->addr_a, k->family) &&
	    !prefix_match(f, k->addr_b, k->family))
		return false;
	return true;
}
