/* Dead-letter headers (names in dlq.h). */
#include "dlq.h"
#include "util.h"

#include <stdio.h>

rd_kafka_headers_t *co_dlq_headers(const co_record_t *rec,
                                   const co_dlq_reason_t *why)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(rec->header_cnt + 10);
    for (size_t i = 0; i < rec->header_cnt; i++)
        rd_kafka_header_add(h, rec->headers[i].name, -1, rec->headers[i].value,
                            (ssize_t)rec->headers[i].value_len);
    char num[64], ts[40];
    rd_kafka_header_add(h, CO_DLQ_HDR_STAGE, -1, why->stage, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_PLUGIN, -1, why->plugin, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_CLASS, -1, why->cls, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_MESSAGE, -1, why->msg, -1);
    snprintf(num, sizeof num, "%d", why->attempts);
    rd_kafka_header_add(h, CO_DLQ_HDR_ATTEMPTS, -1, num, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_TOPIC, -1, rec->topic ? rec->topic : "",
                        -1);
    snprintf(num, sizeof num, "%d", rec->partition);
    rd_kafka_header_add(h, CO_DLQ_HDR_PARTITION, -1, num, -1);
    snprintf(num, sizeof num, "%lld", (long long)rec->offset);
    rd_kafka_header_add(h, CO_DLQ_HDR_OFFSET, -1, num, -1);
    rd_kafka_header_add(h, CO_DLQ_HDR_TIME, -1, co_rfc3339_now(ts, sizeof ts),
                        -1);
    return h;
}
