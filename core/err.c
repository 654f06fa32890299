/* Error names and messages generated from CO_ERR_MAP. */
#include "err.h"

const char *co_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define CO__ERR_STR(name, val, str)                                            \
    case val:                                                                  \
        return str;
        CO_ERR_MAP(CO__ERR_STR)
#undef CO__ERR_STR
    default:
        return "unknown error";
    }
}

const char *co_err_name(int err)
{
    switch (err) {
    case 0:
        return "OK";
#define CO__ERR_NAME(name, val, str)                                           \
    case val:                                                                  \
        return #name;
        CO_ERR_MAP(CO__ERR_NAME)
#undef CO__ERR_NAME
    default:
        return "UNKNOWN";
    }
}

const char *co_status_name(co_status_t st)
{
    switch (st) {
    case CO_OK:
        return "OK";
    case CO_RETRY:
        return "RETRY";
    case CO_FAIL:
        return "FAIL";
    case CO_FATAL:
        return "FATAL";
    case CO_EOF:
        return "EOF";
    }
    return "UNKNOWN";
}
