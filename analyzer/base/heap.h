/* heap.h - transparent huge pages for the heap.  A busy capture keeps a
 * few hundred MB of small records; on 4 KB pages the first touch of each
 * page is a fault and the tables miss the TLB.  This asks the kernel for
 * huge pages on the heap (madvise MADV_HUGEPAGE, what glibc's
 * glibc.malloc.hugetlb=1 tunable does), grown in large steps.  Linux and
 * glibc only; elsewhere, and when MXRAY_NO_HUGEPAGES is set, it does
 * nothing. */
#ifndef MXRAY_HEAP_H
#define MXRAY_HEAP_H

/* Once, before the packet path allocates. */
void heap_prepare(void);
/* After any allocation (once a packet): advise the heap grown since;
 * cheap when it has not grown. */
void heap_advise(void);

#endif
