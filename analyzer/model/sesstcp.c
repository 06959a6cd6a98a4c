/* sesstcp.c - what TCP segments say about a session, into its record: the
 * handshake, FIN and RST per RFC 9293, and how the record ends.  The flow
 * layer runs it on its own copy to decide a connection's life, and the
 * analysis on the record it reports: the same code on the same segments
 * gives both the same facts. */
#include "model/session.h"

/* The timeline event, when the caller keeps events. */
static struct tl_event *event(struct session *s, bool events, double t,
			      enum ev_kind k, enum actor a)
{
	return events ? sess_add_event(s, t, k, a) : NULL;
}

/* A reset from one side: the session is closing; true if the segment
 * was one. */
static bool on_rst(struct session *s, const struct sess_seg *g, bool client,
		   bool events, bool *closing)
{
	if (!g->rst)
		return false;
	event(s, events, g->ts, EV_RST, client ? ACTOR_CLIENT : ACTOR_SERVER);
	*closing = sess_closing(s, client ? CLOSE_RST_CLIENT : CLOSE_RST_SERVER,
				g->ts);
	return true;
}

/* A side's first FIN; with the other side's, the session is closing. */
static void on_fin(struct session *s, const struct sess_seg *g, bool client,
		   bool events, bool *closing)
{
	bool *mine = client ? &s->fin_client : &s->fin_server;
	if (!g->fin || *mine)
		return;
	*mine = true;
	*(client ? &s->fin_client_t : &s->fin_server_t) = g->ts;
	event(s, events, g->ts, EV_FIN, client ? ACTOR_CLIENT : ACTOR_SERVER);
	if (s->fin_client && s->fin_server)
		*closing = sess_closing(s, CLOSE_FIN, g->ts);
}

static void on_client_seg(struct session *s, const struct sess_seg *g,
			  bool events, bool *closing)
{
	struct tl_event *ev;
	if (g->syn && !g->ack) {
		s->syns++;
		if (s->syns == 1)
			s->client_isn = g->seq;
		s->syn_t = g->ts;
		ev = event(s, events, g->ts, EV_SYN, ACTOR_CLIENT);
		if (ev)
			ev->retransmission = s->syns > 1;
		return;
	}
	if (on_rst(s, g, true, events, closing))
		return;
	/* the handshake's ACK: of the server's ISN, after its SYN-ACK */
	if (s->has_syn_ack && !s->has_ack && g->ack &&
	    g->ackno == s->server_isn + 1) {
		s->has_ack = true;
		s->ack_t = g->ts;
		event(s, events, g->ts, EV_ACK, ACTOR_CLIENT);
	}
	on_fin(s, g, true, events, closing);
}

static void on_server_seg(struct session *s, const struct sess_seg *g,
			  bool events, bool *closing)
{
	struct tl_event *ev;
	if (g->syn && g->ack) {
		s->syn_acks++;
		if (!s->has_syn_ack) {
			s->has_syn_ack = true;
			s->syn_ack_t = g->ts;
			s->server_isn = g->seq;
		}
		ev = event(s, events, g->ts, EV_SYN_ACK, ACTOR_SERVER);
		if (ev)
			ev->retransmission = s->syn_acks > 1;
		return;
	}
	if (!on_rst(s, g, false, events, closing))
		on_fin(s, g, false, events, closing);
}

bool sess_tcp_segment(struct session *s, bool from_client,
		      const struct sess_seg *g, bool events)
{
	bool closing = false;
	s->last = g->ts;
	if (from_client)
		on_client_seg(s, g, events, &closing);
	else
		on_server_seg(s, g, events, &closing);
	return closing;
}

bool sess_closing(struct session *s, enum sess_close why, double ts)
{
	if (s->close != CLOSE_NONE)
		return false;
	s->close = why;
	s->close_t = ts;
	return true;
}

void sess_end(struct session *s, enum sess_close why, double now)
{
	if (s->close != CLOSE_NONE)
		return;
	s->close = why;
	/* a session cut by the idle timeout or the capture's end lasted until
	 * then: its silence too */
	s->close_t = (why == CLOSE_TIMEOUT || why == CLOSE_CAPTURE_END) &&
				     now > s->last
			     ? now
			     : s->last;
	if (why == CLOSE_TIMEOUT) {
		/* the side that went silent: the server while it owes the
		 * greeting or a reply, else the client */
		struct tl_event *ev =
			sess_add_event(s, s->close_t, EV_TIMEOUT, ACTOR_CLIENT);
		if (ev && s->has_syn_ack && (!s->has_banner || s->n_unanswered))
			ev->actor = ACTOR_SERVER;
	}
}
