#include <config.h>
#include "controller/stale-ports.h"

#include <stdlib.h>
#include <string.h>

#include "controller/attach.h"
#include "controller/switch-db.h"
#include "controller/tunnels.h"
#include "openvswitch/poll-loop.h"
#include "sset.h"
#include "util.h"

void
stale_ports_init(struct stale_ports *sp)
{
    memset(sp, 0, sizeof *sp);
}

static void
stale_free(struct switch_db_stale *st)
{
    free(st->iface_id);
    free(st->ifname);
    free(st->netns);
}

void
stale_ports_destroy(struct stale_ports *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        stale_free(&sp->ports[i]);
    }
    free(sp->ports);
    free(sp->due);
    free(sp->cfg);
    stale_ports_init(sp);
}

bool
stale_ports_add(struct stale_ports *sp, struct switch_db_stale *list,
                size_t n, long long int now)
{
    bool relay_tap = false;
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t j = 0; j < sp->n && !known; j++) {
            known = !strcmp(sp->ports[j].ifname, list[i].ifname);
        }
        if (known) {
            stale_free(&list[i]);
            continue;
        }
        relay_tap |= !list[i].iface_id && tunnel_is_relay_tap(list[i].ifname);
        sp->ports = xrealloc(sp->ports, (sp->n + 1) * sizeof *sp->ports);
        sp->due = xrealloc(sp->due, (sp->n + 1) * sizeof *sp->due);
        sp->cfg = xrealloc(sp->cfg, (sp->n + 1) * sizeof *sp->cfg);
        sp->ports[sp->n] = list[i];
        sp->due[sp->n] = now + STALE_PORTS_DELAY_MS;
        sp->cfg[sp->n] = 0;
        sp->n++;
    }
    return relay_tap;
}

void
stale_ports_set_cfg(struct stale_ports *sp, int64_t cfg)
{
    for (size_t i = 0; i < sp->n; i++) {
        if (!sp->cfg[i]) {
            sp->cfg[i] = cfg;
        }
    }
}

bool
stale_ports_release(struct stale_ports *sp, int64_t cur_cfg,
                    long long int now)
{
    bool any = false;
    for (size_t i = 0; i < sp->n; i++) {
        if (sp->cfg[i] > 0 && cur_cfg >= sp->cfg[i] && sp->due[i] > now) {
            sp->due[i] = now;
            any = true;
        }
    }
    return any;
}

void
stale_ports_in_use(const struct stale_ports *sp, long long int now,
                   struct sset *in_use)
{
    for (size_t i = 0; i < sp->n; i++) {
        if (now < sp->due[i]) {
            sset_add(in_use, sp->ports[i].ifname);
        }
    }
}

size_t
stale_ports_due_records(const struct stale_ports *sp, long long int now,
                        struct attach_record *records)
{
    size_t n = 0;
    for (size_t i = 0; i < sp->n; i++) {
        const struct switch_db_stale *st = &sp->ports[i];
        if (((st->netns || st->tap) && st->iface_id)
            || (st->trunk && st->netns)) {
            if (now >= sp->due[i]) {
                records[n].endpoint = st->iface_id;
                records[n].netns = st->netns;
                records[n].host_ifname = st->ifname;
                records[n].trunk = st->trunk;
                n++;
            }
        }
    }
    return n;
}

void
stale_ports_forget_due(struct stale_ports *sp, long long int now)
{
    size_t kept = 0;
    for (size_t i = 0; i < sp->n; i++) {
        if (now >= sp->due[i]) {
            stale_free(&sp->ports[i]);
        } else {
            sp->ports[kept] = sp->ports[i];
            sp->due[kept] = sp->due[i];
            sp->cfg[kept] = sp->cfg[i];
            kept++;
        }
    }
    sp->n = kept;
}

size_t
stale_ports_n_due(const struct stale_ports *sp, long long int now)
{
    size_t n = 0;
    for (size_t i = 0; i < sp->n; i++) {
        n += now >= sp->due[i];
    }
    return n;
}

bool
stale_ports_any_due(const struct stale_ports *sp, long long int now)
{
    for (size_t i = 0; i < sp->n; i++) {
        if (now >= sp->due[i]) {
            return true;
        }
    }
    return false;
}

void
stale_ports_wait(const struct stale_ports *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        poll_timer_wait_until(sp->due[i]);
    }
}
