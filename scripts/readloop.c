/* readloop.c - the bare libpcap read loop, the reference for scripts/bench.py.
 *
 *     cc -O2 -o readloop scripts/readloop.c -lpcap
 *     readloop FILE      prints "PACKETS CAPTURED_BYTES WIRE_BYTES"
 *
 * pcap_open_offline + pcap_next_ex until the end, counting the packets and
 * the bytes of their records (caplen and len); nothing else is looked at.
 * Exit status 0, or 1 with one line on stderr when the file cannot be read.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, caplen = 0, wirelen = 0;
	unsigned sink = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: readloop FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "readloop: %s\n", err);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		caplen += h->caplen;
		wirelen += h->len;
		sink += h->caplen ? data[0] : 0; /* the record is really there */
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "readloop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%llu %llu %llu\n", (unsigned long long)packets,
	       (unsigned long long)caplen, (unsigned long long)wirelen);
	/* never true (no packets, no sink); keeps the loads */
	return packets == 0 && sink != 0;
}
