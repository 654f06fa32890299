#!/usr/bin/env bash
# The IANA zone name of a TZ value, for the demo's dates (sourced by
# demo.sh; `bash scripts/tz.sh VALUE` prints the name, or the reason and
# exits 2). The forms glibc reads (tzset(3)):
#   Europe/Paris, :Europe/Paris       the zone of that name
#   :/usr/share/zoneinfo/Europe/Paris  (or without ':') a zone file: its name
#   :/etc/localtime, or a link to a zone file: the zone it points to
#   UTC, empty                         UTC
# Anything else (a path outside /usr/share/zoneinfo, a POSIX rule such as
# EST5EDT,M3.2.0,M11.1.0, a name with no zone file, a right/ zone: leap
# seconds, which PostgreSQL refuses) is refused with the fix:
# PostgreSQL and the summary need a zone name, and UTC instead of the
# user's zone would be silently wrong.

# tz_name VALUE: prints the name, or the reason on stderr and returns 2
tz_name() {
    local v=${1#:} zi=/usr/share/zoneinfo f name=
    case "$v" in
    "" | UTC) echo UTC; return 0 ;;
    /*)
        f=$(readlink -f -- "$v" 2>/dev/null) || f=""
        if [ -n "$f" ] && [ -f "$f" ] && [ "${f#"$zi"/}" != "$f" ]; then
            name=${f#"$zi"/}
            name=${name#posix/}
        elif [ "$f" = /etc/localtime ] && [ -f /etc/timezone ]; then
            # a copied (not linked) /etc/localtime: Debian names it here
            read -r name </etc/timezone || name=""
        fi
        if [ -z "${name:-}" ] || [ ! -f "$zi/$name" ]; then
            echo "time zone '$1' is not a zone file under $zi (or /etc/localtime linked to one): pass --timezone with an IANA name such as Europe/Paris" >&2
            return 2
        fi ;;
    *)
        if [ ! -f "$zi/$v" ] || [ "${v#*..}" != "$v" ]; then
            echo "time zone '$1' unknown: use an IANA name such as Europe/Paris (see $zi)" >&2
            return 2
        fi
        name=$v ;;
    esac
    # a zone file begins with "TZif" (RFC 8536): zone.tab, tzdata.zi and
    # the other tables in the folder are none (trial 59: the pipeline
    # refused "zone.tab" with the reason only in run.log)
    if [ "$(head -c 4 "$zi/$name" 2>/dev/null)" != TZif ]; then
        echo "time zone '$1' is a file of $zi that is not a zone (a table): use an IANA name such as Europe/Paris" >&2
        return 2
    fi
    if [ "${name#right/}" != "$name" ]; then
        echo "time zone '$1' counts leap seconds (a right/ zone), which PostgreSQL does not support: use ${name#right/}" >&2
        return 2
    fi
    echo "$name"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    [ $# = 1 ] || { echo "usage: bash scripts/tz.sh TZ-VALUE" >&2; exit 2; }
    tz_name "$1" || exit 2
fi
