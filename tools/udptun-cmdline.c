/* ovs-vnet-udptun's command line (see udptun-cmdline.h). */
#include <config.h>
#include "tools/udptun-cmdline.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "daemon.h"
#include "openvswitch/vlog.h"
#include "tools/udptun-offload.h"
#include "util.h"

#ifndef VNET_VERSION
#define VNET_VERSION "0.1.0"
#endif

static void usage(void) OVS_NO_RETURN;

const char *
udptun_addr_to_string(const struct sockaddr_in *sin,
                      char buf[UDPTUN_ADDR_BUFSIZE])
{
    char ip[INET_ADDRSTRLEN];

    if (!inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip)) {
        ovs_strlcpy(ip, "?", sizeof ip);
    }
    snprintf(buf, UDPTUN_ADDR_BUFSIZE, "%s:%u", ip, ntohs(sin->sin_port));
    return buf;
}

/* Parses "IP:PORT" (IPv4, port 1..65535) into 'sin'. */
static bool
parse_ip_port(const char *s, struct sockaddr_in *sin)
{
    const char *colon = strrchr(s, ':');
    char ip[INET_ADDRSTRLEN];
    int port;

    if (!colon || colon - s >= (ptrdiff_t) sizeof ip
        || !str_to_int(colon + 1, 10, &port) || port < 1 || port > 65535) {
        return false;
    }
    memcpy(ip, s, colon - s);
    ip[colon - s] = '\0';

    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    return inet_pton(AF_INET, ip, &sin->sin_addr) == 1;
}

/* Same rules as the kernel's dev_valid_name(). */
static bool
valid_tap_name(const char *name, size_t len)
{
    if (!len || len >= IFNAMSIZ
        || (len == 1 && name[0] == '.')
        || (len == 2 && name[0] == '.' && name[1] == '.')) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = name[i];
        if (c == '/' || c == ':' || c <= ' ' || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

static void
add_peer(struct udptun_config *cfg, const char *arg)
{
    const char *comma = strchr(arg, ',');
    char buf[UDPTUN_ADDR_BUFSIZE];

    if (cfg->n_peers >= UDPTUN_MAX_PEERS) {
        ovs_fatal(0, "--peer: at most %d peers", UDPTUN_MAX_PEERS);
    }
    if (!comma) {
        ovs_fatal(0, "--peer=%s: expected TAP,IP:PORT", arg);
    }
    if (!valid_tap_name(arg, comma - arg)) {
        ovs_fatal(0, "--peer=%s: \"%.*s\" is not a valid device name "
                  "(1 to %d characters, no '/', ':' or spaces)", arg,
                  (int) (comma - arg), arg, IFNAMSIZ - 1);
    }

    struct udptun_peer_config *p = &cfg->peers[cfg->n_peers];
    memset(p, 0, sizeof *p);
    memcpy(p->tap_name, arg, comma - arg);
    p->tap_name[comma - arg] = '\0';

    if (!parse_ip_port(comma + 1, &p->addr)) {
        ovs_fatal(0, "--peer=%s: \"%s\" is not IPv4-ADDRESS:PORT", arg,
                  comma + 1);
    }
    uint32_t ip = ntohl(p->addr.sin_addr.s_addr);
    if (ip == INADDR_ANY || ip == INADDR_BROADCAST || IN_MULTICAST(ip)) {
        ovs_fatal(0, "--peer=%s: the peer address must be unicast", arg);
    }

    for (size_t i = 0; i < cfg->n_peers; i++) {
        const struct udptun_peer_config *q = &cfg->peers[i];
        if (!strcmp(q->tap_name, p->tap_name)) {
            ovs_fatal(0, "--peer: tap %s given twice", p->tap_name);
        }
        if (q->addr.sin_addr.s_addr == p->addr.sin_addr.s_addr
            && q->addr.sin_port == p->addr.sin_port) {
            ovs_fatal(0, "--peer: address %s given twice",
                      udptun_addr_to_string(&p->addr, buf));
        }
    }
    cfg->n_peers++;
}

void
udptun_parse_command_line(int argc, char *argv[], struct udptun_config *cfg)
{
    bool local_given = false;
    bool no_offload = false;
    char *key_file = NULL;
    char *key_id = NULL;

    enum {
        OPT_LOCAL = UCHAR_MAX + 1,
        OPT_PEER,
        OPT_NETNS,
        OPT_MTU,
        OPT_ATTACH,
        OPT_PERSIST,
        OPT_KEY_FILE,
        OPT_KEY_ID,
        OPT_NO_OFFLOAD,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"local", required_argument, NULL, OPT_LOCAL},
        {"peer", required_argument, NULL, OPT_PEER},
        {"netns", required_argument, NULL, OPT_NETNS},
        {"mtu", required_argument, NULL, OPT_MTU},
        {"attach", no_argument, NULL, OPT_ATTACH},
        {"persist", no_argument, NULL, OPT_PERSIST},
        {"key-file", required_argument, NULL, OPT_KEY_FILE},
        {"key-id", required_argument, NULL, OPT_KEY_ID},
        {"no-offload", no_argument, NULL, OPT_NO_OFFLOAD},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    memset(cfg, 0, sizeof *cfg);
    cfg->mtu = UDPTUN_DEFAULT_MTU;
    cfg->peers = xcalloc(UDPTUN_MAX_PEERS, sizeof *cfg->peers);
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_LOCAL:
            if (local_given) {
                ovs_fatal(0, "--local may be given only once");
            }
            if (!parse_ip_port(optarg, &cfg->local)) {
                ovs_fatal(0, "--local=%s: expected IPv4-ADDRESS:PORT", optarg);
            }
            local_given = true;
            break;

        case OPT_PEER:
            add_peer(cfg, optarg);
            break;

        case OPT_NETNS:
            if (cfg->netns_path) {
                ovs_fatal(0, "--netns may be given only once");
            }
            cfg->netns_path = xstrdup(optarg);
            break;

        case OPT_ATTACH:
            cfg->attach_taps = true;
            break;

        case OPT_PERSIST:
            cfg->persist_taps = true;
            break;

        case OPT_KEY_FILE:
            free(key_file);
            key_file = xstrdup(optarg);
            break;

        case OPT_KEY_ID:
            free(key_id);
            key_id = xstrdup(optarg);
            break;

        case OPT_NO_OFFLOAD:
            no_offload = true;
            break;

        case OPT_MTU:
            if (!str_to_int(optarg, 10, &cfg->mtu)
                || cfg->mtu < UDPTUN_MIN_MTU || cfg->mtu > UDPTUN_MAX_MTU) {
                ovs_fatal(0, "--mtu=%s: expected a number from %d to %d",
                          optarg, UDPTUN_MIN_MTU, UDPTUN_MAX_MTU);
            }
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s (ovs-vnet) %s\n", program_name, VNET_VERSION);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (optind < argc) {
        ovs_fatal(0, "unexpected argument \"%s\" (use --help for help)",
                  argv[optind]);
    }
    if (!local_given) {
        ovs_fatal(0, "missing --local=IP:PORT (use --help for help)");
    }
    if (!cfg->n_peers) {
        ovs_fatal(0, "missing --peer=TAP,IP:PORT (use --help for help)");
    }
    if (cfg->attach_taps && cfg->persist_taps) {
        ovs_fatal(0, "--attach and --persist exclude each other");
    }
    if (!key_file) {
        ovs_fatal(0, "missing --key-file=FILE (use --help for help)");
    }
    char *error = udptun_key_read(&cfg->key, key_file);
    if (error) {
        ovs_fatal(0, "--key-file=%s", error);
    }
    if (key_id && strcmp(key_id, cfg->key.id)) {
        ovs_fatal(0, "--key-file=%s: the key's id is %s, not %s", key_file,
                  cfg->key.id, key_id);
    }
    free(key_file);
    free(key_id);
    /* Only with taps the relay makes and reads itself, standing alone: a
     * switch's taps (--attach, --persist) carry frames of the MTU. */
    cfg->offload = (!no_offload && !cfg->attach_taps && !cfg->persist_taps
                    && cfg->mtu >= UDPTUN_OFFLOAD_MIN_MTU);
}

static void
usage(void)
{
    printf("%s: relays Ethernet frames between tap devices and UDP peers\n"
           "usage: %s --local=IP:PORT --key-file=FILE [--netns=PATH] "
           "[--mtu=N]\n"
           "           --peer=TAP,IP:PORT [--peer=TAP,IP:PORT ...] "
           "[OPTIONS]\n"
           "\nRelay options:\n"
           "  --local=IP:PORT         IPv4 address and UDP port to bind\n"
           "  --peer=TAP,IP:PORT      create tap TAP, relayed to the peer at "
           "IP:PORT\n"
           "                          (once per peer, up to %d peers)\n"
           "  --netns=PATH            enter this network namespace first\n"
           "                          (e.g. /run/netns/NAME)\n"
           "  --mtu=N                 MTU of the taps (default: %d)\n"
           "  --attach                the taps exist (ports of type tap that\n"
           "                          ovs-vswitchd made): use them, through\n"
           "                          packet sockets, instead of creating\n"
           "                          them\n"
           "  --persist               make the taps persistent (they outlive\n"
           "                          the relay), taking over existing ones\n"
           "  --key-file=FILE         the key that every relay of the\n"
           "                          deployment shares (%d to %d bytes)\n"
           "  --key-id=ID             fail unless the key's id is ID\n"
           "  --no-offload            read and write the taps one frame of\n"
           "                          the MTU at a time (without --attach\n"
           "                          and --persist, the relay takes TCP\n"
           "                          segments of up to 64 kB and joins\n"
           "                          those it receives)\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           program_name, program_name, UDPTUN_MAX_PEERS, UDPTUN_DEFAULT_MTU,
           UDPTUN_KEY_MIN, UDPTUN_KEY_MAX);
    daemon_usage();
    vlog_usage();
    exit(EXIT_SUCCESS);
}
