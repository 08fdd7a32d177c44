/* What binding keeps of every endpoint row from one run to the next
 * (struct binding_memos in controller/binding.h). */
#include <config.h>
#include "controller/binding-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/allocator.h"
#include "controller/desired-flows.h"
#include "controller/lan-view.h"
#include "controller/nb-news.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/addr.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(binding_memos);

/* Whether endpoint 'ep' is one ovs-vnetd creates on this switch. */
static bool
is_here(const struct binding_ctx_in *in, const struct vnetrec_endpoint *ep)
{
    return (vnet_endpoint_is_created(ep) && ep->switch_
            && !strcmp(ep->switch_->name, in->switch_name));
}

void
binding_memos_init(struct binding_memos *memos)
{
    hmap_init(&memos->map);
    memos->runs = 0;
    visit_order_init(&memos->order);
    memos->owners = NULL;
}

static void
memo_free(struct binding_memo *m)
{
    free(m->error);
    free(m->host);
    free(m);
}

void
binding_memos_destroy(struct binding_memos *memos)
{
    struct binding_memo *m;
    HMAP_FOR_EACH_POP (m, node, &memos->map) {
        memo_free(m);
    }
    hmap_destroy(&memos->map);
    visit_order_destroy(&memos->order);
    binding_owners_destroy(memos);
}

struct binding_memo *
memo_find(const struct binding_memos *memos, const struct uuid *uuid)
{
    struct binding_memo *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(uuid), &memos->map) {
        if (uuid_equals(&m->uuid, uuid)) {
            return m;
        }
    }
    return NULL;
}

bool
binding_memos_host(const struct binding_memos *memos,
                   const struct vnetrec_endpoint *ep, const char **host)
{
    const struct binding_memo *m = memos->runs ? memo_find(memos,
                                                           &ep->header_.uuid)
                                               : NULL;
    *host = m ? m->host : NULL;
    return m && m->filled && m->run == memos->runs;
}

bool
binding_memos_placement(const struct binding_memos *memos,
                        const struct vnetrec_endpoint *ep,
                        const char *switch_name, const char **host,
                        bool *has_mac, uint8_t mac[6])
{
    const struct binding_memo *m = (memos->runs
                                    ? memo_find(memos, &ep->header_.uuid)
                                    : NULL);
    if (memos->runs) {
        if (!m || m->run != memos->runs || !m->accepted) {
            return false;
        }
        *host = m->host_here ? NULL : m->host;
        *has_mac = m->has_mac;
        memcpy(mac, m->mac, 6);
        return true;
    }
    /* Before the first run: every row, as it is. */
    const char *h = vnet_endpoint_switch_name(ep);
    *host = h && strcmp(h, switch_name) ? h : NULL;
    *has_mac = ep->mac && vnet_mac_is_valid(ep->mac, mac);
    return true;
}

bool
binding_memos_here_port(const struct binding_memos *memos,
                        const struct vnetrec_endpoint *ep, const char *ifname,
                        int64_t ofport, bool plugged, struct lan_port *port)
{
    const struct binding_memo *m = (memos->runs
                                    ? memo_find(memos, &ep->header_.uuid)
                                    : NULL);
    if (!m || m->run != memos->runs || !m->accepted || m->pending
        || !m->has_addresses || m->error || !m->has_mac || !m->has_ip) {
        return false;
    }
    if (plugged
        ? m->created || (m->host && !m->host_here)
        : (!m->created || !m->here || m->trunk
           || strcmp(m->ifname, ifname))) {
        return false;
    }
    memset(port, 0, sizeof *port);
    port->name = ep->name;
    port->object = ep->header_.uuid.parts[0];
    port->ofport = ofport;
    port->has_mac = true;
    memcpy(port->mac, m->mac, 6);
    port->has_ip = true;
    port->ip = m->ip;
    return true;
}

/* Works out what follows from row 'ep' alone into 'm'. */
void
memo_fill_row(struct binding_memo *m, const struct binding_ctx_in *in,
              const struct vnetrec_endpoint *ep)
{
    m->state = NULL;            /* (Its name may be another.) */
    m->pending = nb_endpoint_is_pending(ep);
    m->created = vnet_endpoint_is_created(ep);
    m->here = is_here(in, ep);
    m->tap = !strcmp(ep->type, "tap");
    m->internal = !strcmp(ep->type, "internal");
    m->trunk = !strcmp(ep->type, "trunk");
    m->name_hash = hash_string(ep->name, 0);
    m->netns_hash = ep->netns ? hash_string(ep->netns, 0) : 0;
    vnet_endpoint_ifname_buf(ep, m->ifname);
    const char *host = vnet_endpoint_switch_name(ep);
    if (!nullable_string_is_equal(host, m->host)) {
        free(m->host);
        m->host = nullable_xstrdup(host);
    }
    m->host_here = host && !strcmp(host, in->switch_name);
    if (m->trunk && ep->network) {
        vnet_trunk_port_name_buf(ep->network, in->switch_name,
                                 m->trunk_port);
    } else {
        m->trunk_port[0] = '\0';
    }
    m->has_addresses = false;
}

/* Works out the addresses of 'ep' in network 'ni' into 'm'. */
void
memo_fill_addresses(struct binding_memo *m, const struct vnetrec_endpoint *ep,
                    const struct net_info *ni)
{
    free(m->error);
    m->has_ip = m->has_mac = false;
    m->ip = 0;
    memset(m->mac, 0, sizeof m->mac);
    m->error = lan_view_endpoint_addresses(ep, ni, &m->has_ip, &m->ip,
                                           &m->has_mac, m->mac);
    m->cidr = ni->cidr;
    m->gateway = ni->gateway;
    m->has_addresses = true;
}

bool
memo_addresses_hold(const struct binding_memo *m, const struct net_info *ni)
{
    return (m->has_addresses && m->cidr.net == ni->cidr.net
            && m->cidr.plen == ni->cidr.plen && m->gateway == ni->gateway);
}

/* The test mode (desired_flows_checking()): a memo kept from an earlier run
 * must say what one worked out afresh says. */
void
memo_check(const struct binding_memo *m, const struct binding_ctx_in *in,
           const struct vnetrec_endpoint *ep, const struct net_info *ni)
{
    struct binding_memo f;
    memset(&f, 0, sizeof f);
    memo_fill_row(&f, in, ep);
    if (ni) {
        memo_fill_addresses(&f, ep, ni);
    }
    bool same = (f.pending == m->pending && f.created == m->created
                 && f.here == m->here
                 && f.tap == m->tap && f.internal == m->internal
                 && f.trunk == m->trunk && f.name_hash == m->name_hash
                 && f.netns_hash == m->netns_hash
                 && !strcmp(f.ifname, m->ifname)
                 && !strcmp(f.trunk_port, m->trunk_port)
                 && nullable_string_is_equal(f.host, m->host)
                 && f.host_here == m->host_here);
    if (same && ni) {
        same = (m->has_addresses
                && nullable_string_is_equal(f.error, m->error)
                && f.has_ip == m->has_ip && f.has_mac == m->has_mac
                && f.ip == m->ip && !memcmp(f.mac, m->mac, 6));
    }
    if (!same) {
        VLOG_ERR("switch %s: endpoint %s: what binding kept of its row "
                 "differs from what the row says now (its version %"PRIu64
                 " did not change)", in->switch_name, ep->name, m->version);
    }
    free(f.error);
    free(f.host);
}

static void memo_refresh(struct binding_memo *, const struct binding_ctx_in *,
                         const struct vnetrec_endpoint *);

/* How many visits on memo_get() fetches the IDL row of the memo there:
 * that memo was itself fetched visit_order_visit()'s eight visits before it
 * and has had as many to arrive. */
#define ROW_AHEAD 4

/* The memo of row 'ep' for run 'memos->runs', up to date with the row. */
struct binding_memo *
memo_get(struct binding_memos *memos, const struct binding_ctx_in *in,
         const struct vnetrec_endpoint *ep)
{
    struct binding_memo *m = visit_order_guess(&memos->order);
    if (!m || !uuid_equals(&m->uuid, &ep->header_.uuid)) {
        m = memo_find(memos, &ep->header_.uuid);
    }
    if (!m) {
        m = xzalloc(sizeof *m);
        m->uuid = ep->header_.uuid;
        hmap_insert(&memos->map, &m->node, uuid_hash(&m->uuid));
    }
    visit_order_visit(&memos->order, m);
    m->row = ep;
    /* The walk of the IDL's rows (its hash map) misses the cache on each
     * row once they outgrow it.  It mostly finds them in the last walk's
     * order: the row of the memo a few visits on (itself fetched earlier
     * by visit_order_visit()) is fetched now.  A row deleted since is only
     * fetched, never read. */
    const struct binding_memo *ahead = visit_order_ahead(&memos->order,
                                                         ROW_AHEAD);
    if (ahead && ahead->row) {
        const char *row = (const char *) ahead->row;
        OVS_PREFETCH(row);
        OVS_PREFETCH(row + CACHE_LINE_SIZE);
    }
    memo_refresh(m, in, ep);
    return m;
}

/* Brings 'm' up to date with row 'ep' (its addresses aside). */
static void
memo_refresh(struct binding_memo *m, const struct binding_ctx_in *in,
             const struct vnetrec_endpoint *ep)
{
    uint64_t version = 0;
    if (in->news) {
        version = (m->filled && m->has_version
                   ? nb_news_endpoint_version_since(in->news, ep, &m->batch,
                                                    m->version)
                   : nb_news_endpoint_version(in->news, ep));
        m->batch = in->news->batch;
        if (desired_flows_checking()
            && version != nb_news_endpoint_version(in->news, ep)) {
            VLOG_ERR("endpoint %s: its version as of the last batch "
                     "(%"PRIu64") is not the one found (%"PRIu64")", ep->name,
                     version, nb_news_endpoint_version(in->news, ep));
        }
    }
    if (!m->filled || !in->news || version != m->version) {
        memo_fill_row(m, in, ep);
        m->version = version;
        m->has_version = in->news != NULL;
        m->filled = true;
    }
}

struct binding_memo *
memo_get_alone(struct binding_memos *memos, const struct binding_ctx_in *in,
               const struct vnetrec_endpoint *ep)
{
    struct binding_memo *m = memo_find(memos, &ep->header_.uuid);
    if (!m) {
        m = xzalloc(sizeof *m);
        m->uuid = ep->header_.uuid;
        hmap_insert(&memos->map, &m->node, uuid_hash(&m->uuid));
    }
    m->row = ep;
    memo_refresh(m, in, ep);
    return m;
}

/* Forgets the memos of rows the run did not find. */
void
memos_sweep(struct binding_memos *memos)
{
    struct binding_memo *m;
    HMAP_FOR_EACH_SAFE (m, node, &memos->map) {
        if (m->run != memos->runs) {
            hmap_remove(&memos->map, &m->node);
            memo_free(m);
        }
    }
}

