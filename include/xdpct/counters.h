/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter ids: the index into the per-CPU counters array. The names table
 * is the single list the CLI prints from; keep both in the same order.
 */
#ifndef XDPCT_COUNTERS_H
#define XDPCT_COUNTERS_H

#include "types.h"

#define XDPCT_COUNTERS(X)                                                        \
	X(PKT_SEEN, "packets")                                                   \
	X(PKT_TCP, "tcp_packets")                                                \
	X(PKT_NOT_TCP, "not_tcp")                                                \
	X(PKT_FRAG4, "ipv4_fragments")                                           \
	X(PKT_FRAG6, "ipv6_fragments")                                           \
	X(PKT_EGRESS_SKIPPED, "egress_seen_at_ingress")                          \
	X(MAL_ETH, "malformed_ethernet")                                         \
	X(MAL_VLAN, "malformed_vlan")                                            \
	X(MAL_IP4, "malformed_ipv4")                                             \
	X(MAL_IP6, "malformed_ipv6")                                             \
	X(MAL_IP6_EXT, "malformed_ipv6_ext")                                     \
	X(MAL_TCP, "malformed_tcp")                                              \
	X(MAL_TCP_OPT, "malformed_tcp_options")                                  \
	X(FLOW_NEW, "flows_new")                                                 \
	X(FLOW_ESTABLISHED, "flows_established")                                 \
	X(FLOW_FIN, "flows_fin")                                                 \
	X(FLOW_TIME_WAIT, "flows_time_wait")                                     \
	X(FLOW_TW_RESTART, "time_wait_restarts")                                 \
	X(FLOW_CLOSED, "flows_closed")                                           \
	X(FLOW_REOPENED, "flows_reopened")                                       \
	X(FLOW_CREATE_FAILED, "flow_create_failed")                              \
	X(INV_BAD_FLAGS, "invalid_bad_flags")                                    \
	X(INV_NO_FLOW, "invalid_no_flow")                                        \
	X(INV_OUT_OF_WINDOW, "invalid_out_of_window")                            \
	X(INV_BAD_SYNACK, "invalid_bad_synack")                                  \
	X(INV_BAD_ACK, "invalid_bad_ack")                                        \
	X(INV_RST_OUT_OF_WINDOW, "invalid_rst_out_of_window")                    \
	X(INV_RST_IN_WINDOW, "invalid_rst_in_window")                            \
	X(INV_SYN_ON_OPEN, "invalid_syn_on_open_flow")                           \
	X(INV_OLD_SYN, "invalid_old_syn")                                        \
	X(INV_UNEXPECTED, "invalid_unexpected")                                  \
	X(VERDICT_DROP, "dropped_by_policy")                                     \
	X(EVENT_DROP, "ringbuf_drops")                                           \
	X(RESP_SYNCOOKIE, "responder_syncookie_synack")                          \
	X(RESP_COOKIE_OK, "responder_cookie_ack_valid")                          \
	X(RESP_COOKIE_BAD, "responder_cookie_ack_invalid")                       \
	X(RESP_TW_REACK, "responder_time_wait_reack")                            \
	X(RESP_RST, "responder_rst")                                             \
	X(RESP_CHALLENGE, "responder_challenge_ack")                             \
	X(RESP_RATE_LIMITED, "responder_rate_limited")                          \
	X(RESP_COOKIE_ARM, "responder_syn_passed_to_host")                      \
	X(EMBRYO_OPENED, "embryos_opened")                                       \
	X(EMBRYO_DELETED, "embryos_deleted")                                     \
	X(FLOW_MOVED, "flows_synchronized")                                      \
	X(FLOW_OPENED_EST, "flows_opened_established")                          \
	X(PKT_EXPRESS, "express_packets")                                        \
	X(FULL_PATH_MISSING, "full_path_missing")

enum xdpct_counter {
#define XDPCT_COUNTER_ENUM(id, name) CNT_##id,
	XDPCT_COUNTERS(XDPCT_COUNTER_ENUM)
#undef XDPCT_COUNTER_ENUM
	CNT__MAX,
};

/* The two flow tables (bpf/maps.h). */
enum xdpct_table {
	TABLE_FLOWS = 0, /* synchronized flows */
	TABLE_EMBRYOS,   /* flows in the handshake */
	TABLE__MAX,
};

/*
 * What userspace keeps for itself in the kernel (the `user_removed` map):
 * what it deleted from each table, and the network namespace the instance
 * was made in (SO_NETNS_COOKIE, never reused, unlike the inode number the
 * pins are named by; 0 in private maps). The data path reads neither.
 */
struct xdpct_user_removed {
	__u64 n[TABLE__MAX];
	__u64 netns_cookie;
};

#ifndef __bpf__
static const char *const xdpct_counter_names[CNT__MAX] = {
#define XDPCT_COUNTER_NAME(id, name) name,
	XDPCT_COUNTERS(XDPCT_COUNTER_NAME)
#undef XDPCT_COUNTER_NAME
};
#endif

#endif /* XDPCT_COUNTERS_H */
