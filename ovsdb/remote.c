#include <config.h>
#include "ovsdb/remote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirs.h"
#include "ovsdb/validate.h"
#include "util.h"

static char * OVS_PRINTF_FORMAT(1, 2)
remote_error(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);
    return s;
}

static char *
parse_port(const char *remote, const char *s, uint16_t *port)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(s, &end, 10);
    if (!*s || *end || errno || value < 1 || value > 65535) {
        return remote_error("%s: invalid port \"%s\" (expected 1 to 65535)",
                            remote, s);
    }
    *port = value;
    return NULL;
}

/* Parses "HOST[:PORT]" or "[HOST6][:PORT]" from 'rest'. */
static char *
parse_inet(const char *remote, const char *rest, struct vnet_remote *r)
{
    char *copy = xstrdup(rest);
    char *host = copy;
    char *port = NULL;
    char *error = NULL;

    if (*host == '[') {
        char *close = strchr(host, ']');
        if (!close) {
            error = remote_error("%s: missing \"]\" after IPv6 address", remote);
            goto out;
        }
        *close = '\0';
        host++;
        if (close[1] == ':') {
            port = close + 2;
        } else if (close[1]) {
            error = remote_error("%s: unexpected \"%s\" after address",
                                 remote, close + 1);
            goto out;
        }
        r->ipv6 = true;
    } else {
        char *colon = strchr(host, ':');
        if (colon) {
            if (strchr(colon + 1, ':')) {
                error = remote_error("%s: IPv6 addresses must be written in "
                                     "brackets, e.g. tcp:[::1]:6640", remote);
                goto out;
            }
            *colon = '\0';
            port = colon + 1;
        }
    }

    if (!*host) {
        error = remote_error("%s: missing address", remote);
        goto out;
    }

    struct in6_addr addr6;
    struct in_addr addr4;
    if (r->ipv6 ? inet_pton(AF_INET6, host, &addr6) != 1
                : inet_pton(AF_INET, host, &addr4) != 1) {
        error = remote_error("%s: \"%s\" is not an %s address", remote, host,
                             r->ipv6 ? "IPv6" : "IPv4");
        goto out;
    }

    r->port = VNET_OVSDB_DEFAULT_PORT;
    if (port) {
        error = parse_port(remote, port, &r->port);
        if (error) {
            goto out;
        }
    }
    r->host = xstrdup(host);

out:
    free(copy);
    return error;
}

char *
vnet_remote_parse(const char *s, struct vnet_remote *r)
{
    char *error = NULL;

    memset(r, 0, sizeof *r);
    if (!s || !*s) {
        return xstrdup("empty OVSDB remote (expected unix:PATH, tcp:IP[:PORT] "
                       "or ssl:IP[:PORT])");
    }

    if (!strncmp(s, "unix:", 5)) {
        r->kind = VNET_REMOTE_UNIX;
        if (!s[5]) {
            return remote_error("%s: missing socket path", s);
        }
        r->path = xstrdup(s + 5);
    } else if (!strncmp(s, "tcp:", 4)) {
        r->kind = VNET_REMOTE_TCP;
        error = parse_inet(s, s + 4, r);
    } else if (!strncmp(s, "ssl:", 4)) {
        r->kind = VNET_REMOTE_SSL;
        error = parse_inet(s, s + 4, r);
    } else if (!strncmp(s, "punix:", 6) || !strncmp(s, "ptcp:", 5)
               || !strncmp(s, "pssl:", 5)) {
        return remote_error("%s: passive remote; ovs-vnet connects to the switch, "
                            "so give the address it listens on (e.g. %s)",
                            s, s + 1);
    } else {
        return remote_error("%s: unknown OVSDB remote (expected unix:PATH, "
                            "tcp:IP[:PORT] or ssl:IP[:PORT])", s);
    }

    if (error) {
        vnet_remote_destroy(r);
        memset(r, 0, sizeof *r);
    }
    return error;
}

void
vnet_remote_destroy(struct vnet_remote *r)
{
    if (r) {
        free(r->path);
        free(r->host);
        r->path = r->host = NULL;
    }
}

char *
vnet_remote_to_string(const struct vnet_remote *r)
{
    if (r->kind == VNET_REMOTE_UNIX) {
        return xasprintf("unix:%s", r->path);
    }
    return xasprintf(r->ipv6 ? "%s:[%s]:%u" : "%s:%s:%u",
                     r->kind == VNET_REMOTE_TCP ? "tcp" : "ssl",
                     r->host, (unsigned int) r->port);
}

bool
vnet_remote_is_local(const struct vnet_remote *r)
{
    if (r->kind == VNET_REMOTE_UNIX) {
        return true;
    }
    if (r->ipv6) {
        return !strcmp(r->host, "::1");
    }
    return !strncmp(r->host, "127.", 4);
}

char *
vnet_remote_rundir(const struct vnet_remote *r, const char *default_rundir)
{
    if (r->kind == VNET_REMOTE_UNIX) {
        const char *slash = strrchr(r->path, '/');
        if (!slash) {
            return xstrdup(".");
        }
        return slash == r->path ? xstrdup("/")
                                : xmemdup0(r->path, slash - r->path);
    }
    return xstrdup(default_rundir);
}

char *
vnet_switch_rundir(const char *option, const struct vnet_remote *r)
{
    return option ? xstrdup(option) : vnet_remote_rundir(r, ovs_rundir());
}

char *
vnet_nb_default_remote(void)
{
    const char *env = getenv("OVS_VNET_DB");
    return (env && *env
            ? xstrdup(env)
            : xasprintf("unix:%s/%s", ovs_rundir(), VNET_NB_SOCKET));
}
