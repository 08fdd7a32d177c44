/* The marks of the namespaces ovs-vnetd made (attach-private.h): a file
 * in its run directory for each, so that only those are deleted, also after
 * a restart. */
#include <config.h>
#include "controller/attach-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirs.h"
#include "util.h"

/* The mark of 'netns' (malloc'd). */
char *
netns_marker(const char *netns)
{
    return xasprintf("%s/vnet-netns.%s", ovs_rundir(), netns);
}

bool
netns_is_ours(const char *netns)
{
    char *marker = netns_marker(netns);
    bool ours = !access(marker, F_OK);
    free(marker);
    return ours;
}

/* The file every marker is a link to: a link makes no new inode, which on
 * some file systems (ext4) costs a search of the inode table that grows with
 * the inodes freed lately, as a run that deleted thousands of namespaces
 * leaves them. */
static char *
netns_marks_base(void)
{
    return xasprintf("%s/vnet-netns", ovs_rundir());
}

/* Writes 'text' into a new file 'path'.  Returns 0 or an errno value. */
static int
write_note(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        return errno;
    }
    int error = fputs(text, f) < 0 ? errno : 0;
    if (fclose(f) && !error) {
        error = errno;
    }
    return error;
}

/* Makes 'marker' a link to the marks' base file (made if need be).  Returns 0
 * or an errno value (the caller then writes a file of its own). */
static int
link_marker(const char *marker)
{
    char *base = netns_marks_base();
    int error = link(base, marker) ? errno : 0;
    if (error == ENOENT) {
        /* No base yet: made once, then linked to. */
        error = write_note(base, "Each file vnet-netns.NAME here marks "
                           "network namespace NAME as made by ovs-vnetd.\n");
        if (!error) {
            error = link(base, marker) ? errno : 0;
        }
    }
    free(base);
    return error == EEXIST ? 0 : error;
}

/* Marks 'netns' as created for 'what' ("endpoint NAME", "trunk PORT"): a link
 * to the marks' base file, else a file of its own that says for what.
 * Returns NULL, or why it could not (malloc'd). */
char *
mark_netns(const char *netns, const char *what)
{
    const char *dir = ovs_rundir();
    if (mkdir(dir, 0755) && errno != EEXIST) {
        return xasprintf("cannot create %s to record namespace %s: %s", dir,
                         netns, ovs_strerror(errno));
    }
    char *marker = netns_marker(netns);
    char *reason = NULL;
    if (link_marker(marker)) {
        char *text = xasprintf("created by ovs-vnetd for %s\n", what);
        int error = write_note(marker, text);
        if (error) {
            reason = xasprintf("cannot record namespace %s in %s: %s", netns,
                               marker, ovs_strerror(error));
        }
        free(text);
    }
    free(marker);
    return reason;
}
