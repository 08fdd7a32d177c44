/* The switch database's transactions of a session's own between full runs
 * (switch-session-private.h): the vnet-installed marks written, each
 * transaction committed and its failure taken back, the next_cfg that a
 * removal of ports set read from its reply, and the end of ovs-vnetd's own
 * transaction, which is no news when what it wrote came back as written. */
#include <config.h>
#include "controller/switch-session-private.h"

#include "controller/binding.h"
#include "controller/switch-news.h"
#include "coverage.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(switch_session_txn);

COVERAGE_DEFINE(switch_session_marks_run);
COVERAGE_DEFINE(switch_session_inserts_end);

/* How long the marks wait after a transaction of theirs failed. */
#define MARKS_RETRY_MS 1000

/* Whether the marks that the last full run found due can be written now:
 * the session has settled, has read the switch's database and is not
 * releasing it, and a transaction can be opened (none is in flight, and
 * the database has changed since one was refused). */
bool
session_marks_can_go(const struct switch_session *ss)
{
    return (ss->marks_due && ss->settled && ss->db.ready && ss->bridge
            && !ss->releasing && !ss->ovs.committing_txn
            && ovsdb_idl_get_seqno(ss->ovs.idl) != ss->ovs.skip_seqno
            && time_msec() >= ss->marks_not_before);
}

/* Writes the vnet-installed marks of the endpoints up (and takes away
 * those of the others) in 'txn', after each full run and without one of its
 * own: a new endpoint's mark goes out as soon as the full run that found its
 * flows installed has ended, a mark someone took away comes back after the
 * full run that saw it go.  Returns true if it wrote any. */
bool
session_marks_run(struct switch_session *ss, struct ovsdb_idl_txn *txn)
{
    if (!txn || !session_marks_can_go(ss)) {
        return false;
    }
    COVERAGE_INC(switch_session_marks_run);
    bool wrote = session_write_marks(ss);
    ss->marks_due = false;
    if (!wrote) {
        /* The database has them already (written before, or by an
         * earlier ovs-vnetd): nothing comes back to say so. */
        ss->markers_ready = true;
    }
    return wrote;
}

void
session_commit(struct switch_session *ss)
{
    int status = ovsdb_idl_loop_commit_and_wait(&ss->ovs);
    ss->txn_pending = ss->ovs.committing_txn != NULL;
    if (!ss->txn_pending) {
        ss->cfg_in_flight = false;      /* (Failed, or nothing to send.) */
    }
    if (ss->marks_in_flight && !ss->txn_pending) {
        /* Failed (a success is seen by ovsdb_idl_loop_run(), and ends in
         * session_own_txn_end()): nothing comes back, and the marks are due
         * again. */
        ss->marks_in_flight = false;
        switch_news_forget(&ss->ovs_news);
        if (status != 1) {
            ss->marks_due = true;
            binding_endpoints_all_marks_due(&ss->endpoints);
            if (ss->ovs.skip_seqno != ss->ovs.precommit_seqno) {
                /* Refused, not raced (that waits for the database to
                 * change): not again at once, at every reply. */
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "switch %s: the vnet-installed marks' "
                             "transaction failed; again in %d ms", ss->name,
                             MARKS_RETRY_MS);
                ss->marks_not_before = time_msec() + MARKS_RETRY_MS;
            }
        }
    }
    if (ss->inserts_in_flight && !ss->txn_pending) {
        /* Failed: the end is news (the run key's 'txn_pending'). */
        ss->inserts_in_flight = false;
        switch_news_forget(&ss->ovs_news);
    }
}

/* The next_cfg that the transaction that removed ports set (see struct
 * stale_ports), from its reply, read here before ovsdb_idl_loop_run() ends
 * the transaction with it. */
void
session_stale_ports_cfg(struct switch_session *ss)
{
    if (ss->cfg_in_flight && ss->ovs.committing_txn) {
        ovsdb_idl_run(ss->ovs.idl);
        struct ovsdb_idl_txn *txn = ss->ovs.committing_txn;
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);
        if (status == TXN_SUCCESS) {
            stale_ports_set_cfg(&ss->stale,
                                ovsdb_idl_txn_get_increment_new_value(txn));
        }
        if (status != TXN_INCOMPLETE) {
            ss->cfg_in_flight = false;
        }
    }
}

/* After ovsdb_idl_loop_run(), which ends only a transaction that
 * succeeded: ovs-vnetd's own transaction of marks, or of new ports alone,
 * has ended, and what it wrote has come back before its reply (no news, if
 * as written: switch_news_run()).  Its end is no news either, unless a full
 * run ran while it was in flight (that run could not write) or something
 * else changed: what new ports bring next is their OpenFlow ports. */
void
session_own_txn_end(struct switch_session *ss)
{
    if (ss->ovs.committing_txn || !(ss->marks_in_flight
                                     || ss->inserts_in_flight)) {
        return;
    }
    bool inserts = ss->inserts_in_flight;
    ss->marks_in_flight = ss->inserts_in_flight = false;
    switch_news_forget(&ss->ovs_news);
    ss->txn_pending = false;
    if (ss->own_end_is_news) {
        return;
    }
    if (!inserts) {
        ss->last_key.txn_pending = false;
        ss->markers_ready = true;
    } else if (ss->ovs_news_seqno == ss->last_key.ovs_seqno) {
        COVERAGE_INC(switch_session_inserts_end);
        ss->last_key.txn_pending = false;
        ss->db.ready = true;
    }
}
