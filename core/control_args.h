/**
 * @file core/control_args.h
 * @brief Request checks of the control endpoint (core/control.c) that
 *        libmicrohttpd leaves to the application: a NUL (%00) in the path
 *        or query, and a query parameter given twice; the client address
 *        for its log lines. Not installed.
 *
 * libmicrohttpd decodes %00 into the C strings it hands over, which end
 * there: "/api/relabel?key=b21d7d3d%00xx" reached the route as key
 * "b21d7d3d" and "/app.js%00.html" served app.js. A repeated parameter
 * ("label=OFFER&label=OTHER") gave the first value silently. Both are
 * refused with 400 before any route runs.
 */
#ifndef CO_CORE_CONTROL_ARGS_H
#define CO_CORE_CONTROL_ARGS_H

#include <microhttpd.h>
#include <stddef.h>

/**
 * @brief MHD_OPTION_URI_LOG_CALLBACK: sees the request line's URI before
 *        it is decoded.
 * @returns co_control_nul_uri when the path or query holds "%00", or the
 *          path "%2F" (an encoded slash would reach another route; the
 *          handler's first call then answers 400), else NULL (the
 *          connection's initial *con_cls).
 * @remark libmicrohttpd's thread; no state. MHD_OPTION_URI_LOG_CALLBACK's
 *         contract (libmicrohttpd manual, "Options").
 */
void *co_control_uri_check(void *cls, const char *uri,
                           struct MHD_Connection *c);

/** The marker co_control_uri_check() returns for a URI with %00. */
extern char co_control_nul_uri[1];

/**
 * @brief Find a query parameter given more than once, or more than 64
 *        parameters (then not every name could be checked).
 * @param msg Receives the 400 answer's words naming the parameter and the
 *        fix, or the limit (truncated to `size`).
 * @returns 1 if one is repeated or there are too many (msg filled), else
 *          0.
 * @remark libmicrohttpd's thread, inside the request handler.
 */
int co_control_arg_repeated(struct MHD_Connection *c, char *msg, size_t size);

/**
 * @brief Find a Host, Origin or Authorization header given more than once
 *        (the checks read the first value only: a second one must not
 *        slip past them).
 * @param msg Receives the 400 answer's words naming the header (truncated
 *        to `size`).
 * @returns 1 if one is repeated (msg filled), else 0.
 * @remark libmicrohttpd's thread, inside the request handler.
 */
int co_control_header_repeated(struct MHD_Connection *c, char *msg,
                               size_t size);

/**
 * @brief The client's IP address as text for the log ("?" if unknown).
 * @param out Receives it, NUL-terminated, at most `size` bytes.
 * @remark libmicrohttpd's thread.
 */
void co_control_client(struct MHD_Connection *c, char *out, size_t size);

#endif
