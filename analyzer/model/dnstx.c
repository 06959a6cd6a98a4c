/* dnstx.c - one DNS transaction's record: its question, and everything
 * its response said, rendered once and kept in one allocation. */
#include "model/dnstrack.h"

#include <stdio.h>
#include <string.h>

#include "base/pool.h"

struct dns_tx *dns_tx_new(struct pool *pool, const char *qname)
{
	size_t n = strnlen(qname, DNS_NAME_MAX - 1);
	struct dns_tx *tx = pool_calloc(pool, sizeof(*tx) + n + 1);
	if (!tx)
		return NULL;
	tx->refs = 1;
	tx->first_rel = -1;
	memcpy(tx->qname_buf, qname, n);
	tx->qname = tx->qname_buf;
	return tx;
}

void dns_tx_ref(struct dns_tx *tx)
{
	tx->refs++;
}

void dns_tx_unref(struct dns_tx *tx)
{
	if (!tx || --tx->refs > 0)
		return;
	pool_free(tx->mem);
	pool_free(tx);
}

double dns_tx_time(const struct dns_tx *tx)
{
	return tx->has_query ? tx->query_t : tx->response_t;
}

int dns_tx_mx_pref(const struct dns_tx *tx, const char *host)
{
	for (size_t i = 0; i < tx->n_names; i++)
		if (!strcmp(tx->names[i], host))
			return tx->prefs[i];
	return -1;
}

const char *dns_tx_glue_host(const struct dns_tx *tx, const struct mx_addr *a)
{
	for (size_t i = 0; i < tx->n_glue; i++)
		if (mx_addr_eq(&tx->glue[i], a))
			return tx->glue_names[i];
	return NULL;
}

/* The answer-section line of a record as the reports show it. */
/* The answer-section line of a record as the reports show it: its data,
 * after its type when that is not the question's.  The type's name (into
 * tb) or NULL; the line's length. */
static size_t answer_len(const struct dns_tx *tx, const struct dns_rr *rr,
			 char tb[16], const char **type)
{
	size_t n = strnlen(rr->data, DNS_RDATA_TEXT - 1);
	*type = rr->type == tx->qtype ? NULL : dns_type_name(rr->type, tb);
	return *type ? strlen(*type) + 1 + n : n;
}

/* That line, written at *text. */
static char *put_answer(char **text, const struct dns_tx *tx,
			const struct dns_rr *rr)
{
	char tb[16], *out = *text;
	const char *type;
	size_t n = answer_len(tx, rr, tb, &type), k = 0;
	if (type) {
		k = strlen(type);
		memcpy(out, type, k);
		out[k++] = ' ';
	}
	memcpy(out + k, rr->data, n - k);
	out[n] = '\0';
	*text += n + 1;
	return out;
}

/* Bytes of one block holding every answer of m: the arrays, then the
 * strings (answers, names, glue owner names). */
static size_t response_size(const struct dns_tx *tx, const struct dns_msg *m,
			    size_t *n_ans, size_t *n_names, size_t *n_addrs,
			    size_t *n_glue)
{
	char tb[16];
	const char *type;
	size_t text = 0;
	*n_ans = *n_names = *n_addrs = *n_glue = 0;
	for (size_t i = 0; i < m->n_an; i++) {
		const struct dns_rr *rr = &m->an[i];
		text += answer_len(tx, rr, tb, &type) + 1;
		(*n_ans)++;
		if (rr->addr_len) {
			(*n_addrs)++;
		} else if (rr->target[0]) {
			(*n_names)++;
			text += strnlen(rr->target, DNS_NAME_MAX - 1) + 1;
		}
	}
	if (m->ancount > m->n_an) {
		(*n_ans)++;
		text += 64;
	}
	for (size_t i = 0; tx->qtype == DNS_T_MX && i < m->n_ar; i++)
		if (m->ar[i].addr_len) {
			(*n_glue)++;
			text += strnlen(m->ar[i].name, DNS_NAME_MAX - 1) + 1;
		}
	return (*n_ans + *n_names + *n_glue) * sizeof(char *) +
	       *n_names * 2 * sizeof(uint16_t) +
	       (*n_addrs + *n_glue) * sizeof(struct mx_addr) + text;
}

static char *put_str(char **text, const char *s, size_t n)
{
	char *out = *text;
	memcpy(out, s, n);
	out[n] = '\0';
	*text += n + 1;
	return out;
}

static void set_addr(struct mx_addr *x, const struct dns_rr *rr)
{
	if (rr->addr_len == 4)
		mx_addr_set4(x, rr->addr);
	else
		mx_addr_set6(x, rr->addr);
}

/* Everything the response says, in one allocation. */
int dns_tx_fill(struct pool *pool, struct dns_tx *tx, const struct dns_msg *m,
		double ts)
{
	char line[64], name[DNS_NAME_MAX], *text, *p;
	size_t n_ans, n_names, n_addrs, n_glue, size;

	tx->has_response = true;
	tx->response_t = ts;
	tx->rcode = m->rcode;
	tx->tc = m->tc;
	tx->anomalies = m->anomalies;
	size = response_size(tx, m, &n_ans, &n_names, &n_addrs, &n_glue);
	if (!size)
		return 0;
	if (!(p = tx->mem = pool_alloc(pool, size)))
		return -1; /* an answer without its records */
	tx->answers = (char **)p;
	tx->names = tx->answers + n_ans;
	tx->glue_names = tx->names + n_names;
	tx->prefs = (uint16_t *)(tx->glue_names + n_glue);
	tx->name_types = tx->prefs + n_names;
	tx->addrs = (struct mx_addr *)(tx->name_types + n_names);
	tx->glue = tx->addrs + n_addrs;
	text = (char *)(tx->glue + n_glue);
	for (size_t i = 0; i < m->n_an; i++) {
		const struct dns_rr *rr = &m->an[i];
		tx->answers[tx->n_answers++] = put_answer(&text, tx, rr);
		if (rr->addr_len) {
			set_addr(&tx->addrs[tx->n_addrs++], rr);
		} else if (rr->target[0]) {
			mx_lower(rr->target, name, sizeof(name));
			tx->prefs[tx->n_names] =
				rr->type == DNS_T_MX ? rr->pref : 0;
			tx->name_types[tx->n_names] = rr->type;
			tx->names[tx->n_names++] =
				put_str(&text, name, strlen(name));
		}
	}
	if (m->ancount > m->n_an) { /* kept only DNS_MAX_RRS, or the capture cut the message: say so */
		int n = snprintf(line, sizeof(line), "(+%u more records not shown)",
				 (unsigned)(m->ancount - m->n_an));
		tx->answers[tx->n_answers++] = put_str(&text, line, (size_t)n);
	}
	/* MX glue: addresses of the exchanges in the additional section */
	for (size_t i = 0; tx->qtype == DNS_T_MX && i < m->n_ar; i++) {
		if (!m->ar[i].addr_len)
			continue;
		mx_lower(m->ar[i].name, name, sizeof(name));
		tx->glue_names[tx->n_glue] = put_str(&text, name, strlen(name));
		set_addr(&tx->glue[tx->n_glue++], &m->ar[i]);
	}
	return 0;
}

