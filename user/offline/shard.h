/* SPDX-License-Identifier: BSD-3-Clause */
/* shard.h - offline -j: frames to replay shards by flow. */
#ifndef WIRELAT_SHARD_H
#define WIRELAT_SHARD_H

#include <stddef.h>
#include <stdint.h>

/*
 * A hash of the flow of the Ethernet frame at @frame (@len bytes): equal
 * for both directions of a connection or DNS transaction and for an ICMP
 * destination-unreachable quoting it, so each flow lives in one shard.
 */
uint32_t wl_shard_hash(const uint8_t *frame, size_t len);

#endif /* WIRELAT_SHARD_H */
