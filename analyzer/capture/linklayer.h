/* linklayer.h - from a captured frame to the IP packet it carries,
 * tunnels peeled. */
#ifndef MXRAY_LINKLAYER_H
#define MXRAY_LINKLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strip the link layer of one frame of link type dlt (a DLT_ value) and
 * the encapsulations under it: VLAN tags, MPLS, PPPoE, and IP tunnels
 * (GRE with IP, PPP, Ethernet or ERSPAN inside; VXLAN on UDP port 4789)
 * peeled to the packet they carry, at most 8 of them (capture/tunnel.h).
 * Returns 0 and fills ipver (4 or 6), off (of the innermost IP header in
 * frame) and, when tunnels is not NULL, the number of encapsulations
 * peeled (0 for a plain frame; VLAN tags are not counted).  Returns -1,
 * writing nothing, when the frame carries no IP packet: not IP at the
 * link, a tunnel cut short or malformed, nested too deep, or carrying
 * something else (ARP in ERSPAN).  An IPv4 or IPv6 fragment is not
 * peeled: it is returned as the outer packet. */
int cap_strip_frame(int dlt, const uint8_t *frame, size_t caplen, int *ipver,
		    size_t *off, unsigned *tunnels);

/* cap_strip_frame without the count of encapsulations. */
int cap_strip_link(int dlt, const uint8_t *frame, size_t caplen, int *ipver,
		   size_t *off);

/* Link types cap_strip_link reads. */
bool cap_link_supported(int dlt);

#endif
