/**
 * @file tests/fakes/co_fake_chroma.h
 * @brief A fake Chroma server, HTTP API v2 (WIRE.md section 4), on a
 *        co_fake_t, keeping collections and records in memory.
 *
 * Answers as a real Chroma 1.5.9 server does (checked against one started
 * by scripts/chroma.sh; plugins/chroma-sink/tests/real_chroma.sh).
 * Routes: `GET /api/v2/heartbeat` (`{"nanosecond heartbeat": N}`),
 * `/api/v2/version` (`"1.0.0"`), `/api/v2/healthcheck`
 * (`{"is_executor_ready":true,"is_log_client_ready":true}`);
 * `POST /api/v2/tenants/{tenant}/databases` `{"name"}` (200 `{}`, 409
 * `Database [x] already exists`); under
 * `/api/v2/tenants/{tenant}/databases/{database}/collections`: `POST`
 * create (`get_or_create`; a duplicate without it -> 409 `Collection [x]
 * already exists`; a database that does not exist -> 400 `Database [x] does
 * not exist`; a name outside 3-512 of `[a-zA-Z0-9._-]` -> 400), `GET` list,
 * `GET .../{name}` (404 `Collection [x] does not exist`), and by collection
 * UUID (a non-UUID -> 400 `Collection ID is not a valid UUIDv4`; an unknown
 * one -> 404 `Collection [id] does not exist.`): `POST .../{id}/add` (201
 * `{}`), `/upsert` (200 `{}`), `/query` (cosine, l2 or ip distance by the
 * collection's `hnsw:space`; `where` with equality, `$eq`, `$ne` and `$and`
 * only), `GET .../{id}/count` (a bare integer).
 * A collection takes the dimension of its first embeddings; later ones of
 * another length -> 400 `Collection expecting embedding with dimension of
 * N, got M`; lists of different lengths -> 400 `Inconsistent number of
 * IDs, embeddings, documents, URIs and metadatas`; no `embeddings` -> 422.
 * Database names shorter than 3 characters -> 400 `database name must be
 * at least 3 characters`. A POST without `Content-Type: application/json`
 * -> 415. Every `/api/v1/...` -> 410. Errors are
 * `{"error":"<Name>","message":"..."}`. Databases that exist:
 * default_tenant/default_database, those made with POST .../databases and
 * those of co_fake_chroma_create().
 *
 * With a token set, requests need `x-chroma-token: T` or
 * `Authorization: Bearer T` (else 401). co_fake_chroma_set_down() drops
 * every connection without answering (a server that is down).
 *
 * Thread-safety: all functions may be called while requests are served.
 */
#ifndef CO_FAKE_CHROMA_H
#define CO_FAKE_CHROMA_H

#include "co_fake.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The fake's state; owned by the co_fake_t it is installed on. */
typedef struct co_fake_chroma_s co_fake_chroma_t;

/**
 * @brief Install the Chroma routes on `f`.
 * @returns The fake's handle (freed by co_fake_stop(f)), or NULL.
 */
co_fake_chroma_t *co_fake_chroma_install(co_fake_t *f);

/** @brief Require this token (copied); NULL: no authentication. */
void co_fake_chroma_set_token(co_fake_chroma_t *c, const char *token);

/** @brief Non-zero: drop every request without an answer (down). */
void co_fake_chroma_set_down(co_fake_chroma_t *c, int down);

/**
 * @brief Create a collection directly (cosine space; its database is made
 *        to exist), with a fixed
 *        embedding `dimension` (0: taken from the first add).
 * @param uuid_out Receives its UUID (37 bytes), may be NULL.
 * @returns 0, or -1 if it exists or memory ran out.
 */
int co_fake_chroma_create(co_fake_chroma_t *c, const char *tenant,
                          const char *database, const char *name, int dimension,
                          char uuid_out[37]);

/**
 * @brief The UUID of collection `name`.
 * @returns 0 with uuid_out set, or -1 when there is no such collection.
 */
int co_fake_chroma_uuid(co_fake_chroma_t *c, const char *tenant,
                        const char *database, const char *name,
                        char uuid_out[37]);

/** @brief Records in collection `name`, or -1 when it does not exist. */
long co_fake_chroma_count(co_fake_chroma_t *c, const char *tenant,
                          const char *database, const char *name);

/**
 * @brief One stored record as JSON text
 *        `{"id","embedding":[..],"document","metadata":{..}}`.
 * @returns A malloc'd string (free() it), or NULL when absent.
 */
char *co_fake_chroma_record(co_fake_chroma_t *c, const char *tenant,
                            const char *database, const char *name,
                            const char *id);

/**
 * @brief Number of answered requests of one kind: "create", "get",
 *        "add", "upsert", "query", "count", "dropped".
 */
size_t co_fake_chroma_ops(co_fake_chroma_t *c, const char *op);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_CHROMA_H */
