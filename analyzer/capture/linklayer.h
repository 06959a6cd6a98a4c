/* linklayer.h - from a captured frame to the IP packet it carries. */
#ifndef MXRAY_LINKLAYER_H
#define MXRAY_LINKLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strip the link layer of one frame of link type dlt (a DLT_ value).
 * Returns 0 and fills ipver (4 or 6) and off (of the IP header in
 * frame), or -1 when the frame carries no IP packet. */
int cap_strip_link(int dlt, const uint8_t *frame, size_t caplen, int *ipver,
		   size_t *off);

/* Link types cap_strip_link reads. */
bool cap_link_supported(int dlt);

#endif
