/* forkhorn/app.h: the C ABI between the forkhorn server and an application library.
 *
 * An application is a shared library (.so / .dll) that exports one function,
 * named by the user on the command line (`forkhorn ./libhello.so:app`):
 *
 *     FORKHORN_EXTERN_C FORKHORN_EXPORT const fh_app* app(void);
 *
 * It returns a descriptor that lives as long as the library is loaded. The server checks
 * `abi_version` before it calls anything else; a mismatch is a boot error, never a call.
 *
 * Compatibility rules (why the structs carry their own size): within ABI version 1 the server
 * only appends members to fh_server_api and only reads the members of fh_app that fit in the
 * app's `struct_size`. An app built against an older v1 header keeps working with a newer server.
 *
 * Threading: `handle` runs on a worker thread of the server. A handler may return
 * FH_PENDING and finish the response later from any thread; until `finish` is called, the
 * request and response handles stay valid. After `finish` they must not be used again.
 * On the event-loop workers (async, uv) the handler runs on the loop thread: blocking calls
 * (read_body, write, send_file) hold every connection of the worker while the client is slow;
 * read_body_async and write_async do not.
 */
#ifndef FORKHORN_APP_H
#define FORKHORN_APP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version described by this header. */
#define FORKHORN_ABI_VERSION 1u

/** A byte string that is not NUL-terminated. */
typedef struct fh_str {
    const char* data;
    size_t size;
} fh_str;

/** One request, owned by the server. */
typedef struct fh_request fh_request;
/** The response to one request, owned by the server. */
typedef struct fh_response fh_response;

/** Return codes of the server functions. */
enum fh_status {
    FH_OK = 0,
    FH_ERR_INVALID = -1, /**< bad argument (status out of range, header name not a token...) */
    FH_ERR_STATE = -2,   /**< too late: headers already sent, or the response is finished */
    FH_ERR_IO = -3,      /**< the client went away or timed out */
    FH_ERR_NOT_FOUND = -4,
    FH_IN_PROGRESS = -5 /**< not an error: a non-blocking call goes on; its `done` callback follows */
};

/** What a handler returns. */
enum fh_handle_result {
    FH_DONE = 0,   /**< the response is complete; the server calls finish if the app did not */
    FH_PENDING = 1 /**< the app will call finish later, possibly from another thread */
};

/** What fh_server_api.loop returns in `kind`. */
enum fh_loop_kind {
    FH_LOOP_NONE = 0, /**< no loop the app may use (sync, gthread) */
    FH_LOOP_ASIO = 1, /**< an asio::io_context* (the async worker) */
    FH_LOOP_UV = 2    /**< a uv_loop_t* (the uv worker) */
};

/** What fh_server_api.tls tells about the TLS connection a request came over. */
enum fh_tls_field {
    FH_TLS_PROTOCOL = 0,    /**< "TLSv1.2", "TLSv1.3" */
    FH_TLS_CIPHER = 1,      /**< OpenSSL's name of the cipher, e.g. "TLS_AES_256_GCM_SHA384" */
    FH_TLS_ALPN = 2,        /**< the protocol agreed by ALPN ("http/1.1"), empty when none */
    FH_TLS_PEER_SUBJECT = 3 /**< the client certificate's subject (RFC 2253), empty when none */
};

/** Completion of a non-blocking call (read_body_async, write_async): `result` is what the call
 *  would have returned had it finished at once. Runs on the worker's loop thread. */
typedef void (*fh_io_done)(void* arg, int64_t result);

/** Log levels, as in the error log. */
enum fh_log_level { FH_LOG_DEBUG = 10, FH_LOG_INFO = 20, FH_LOG_WARNING = 30, FH_LOG_ERROR = 40, FH_LOG_CRITICAL = 50 };

/** The functions the server offers to the app. Passed to `init` and to every `handle`. */
typedef struct fh_server_api {
    uint32_t abi_version; /**< FORKHORN_ABI_VERSION of the server */
    uint32_t struct_size; /**< sizeof(fh_server_api) in the server; members beyond it are absent */

    /* The request, exactly as parsed. Strings stay valid until finish. */
    fh_str (*method)(const fh_request* req);
    fh_str (*target)(const fh_request* req);  /**< raw request-target, e.g. "/a/b?x=1" */
    fh_str (*path)(const fh_request* req);    /**< target without query and fragment */
    fh_str (*query)(const fh_request* req);   /**< without the '?' */
    fh_str (*version)(const fh_request* req); /**< "HTTP/1.1" or "HTTP/1.0" */
    fh_str (*remote_addr)(const fh_request* req);
    size_t (*header_count)(const fh_request* req);
    /** Header `index` (0-based, in the order received, names as received). */
    int (*header_at)(const fh_request* req, size_t index, fh_str* name, fh_str* value);
    /** First header whose name matches case-insensitively; FH_ERR_NOT_FOUND if none. */
    int (*header_get)(const fh_request* req, fh_str name, fh_str* value);
    /** Reads up to `size` body bytes (chunked framing removed). Returns the count, 0 at the end
     *  of the body, or a negative fh_status. Blocks until data arrives or the timeout expires. */
    int64_t (*read_body)(fh_request* req, void* buf, size_t size);

    /* The response. Headers may be set until the first byte of the body is sent. */
    int (*set_status)(fh_response* res, int status);
    int (*add_header)(fh_response* res, fh_str name, fh_str value);
    /** Appends body bytes. Without a Content-Length header from the app, a response whose body
     *  fits the server's buffer gets one; a longer one is sent chunked (HTTP/1.1). */
    int (*write)(fh_response* res, const void* data, size_t size);
    /** Sends `length` bytes of the file at `path` from `offset` (length 0 = to the end). */
    int (*send_file)(fh_response* res, const char* path, uint64_t offset, uint64_t length);
    /** Completes the response. Callable from any thread, once. */
    int (*finish)(fh_response* res);

    /** Writes a line to the server's error log. */
    void (*log)(int level, fh_str message);

    /** "https" over TLS or when a trusted proxy said so (secure_scheme_headers), else "http". */
    fh_str (*scheme)(const fh_request* req);

    /** The worker's event loop, for apps that do their own I/O on it: see fh_loop_kind (NULL and
     *  FH_LOOP_NONE on sync and gthread). Use it only on the loop thread: in `handle`, in
     *  callbacks the loop runs, or in functions given to `post`. */
    void* (*loop)(const fh_request* req, int* kind);
    /** Runs `fn(arg)` soon on the worker's loop thread; callable from any thread until the
     *  response is finished. FH_ERR_STATE where the worker has no loop (sync). */
    int (*post)(fh_request* req, void (*fn)(void* arg), void* arg);
    /** read_body without holding the worker, for handlers on a loop (async, uv): returns what
     *  read_body would when bytes (or the end, or an error) are already there; otherwise
     *  FH_IN_PROGRESS, and `done(arg, result)` follows once they are, with the bytes in `buf`
     *  (which must stay valid until then). One read at a time; call it on the loop thread. On
     *  sync and gthread it blocks like read_body and never returns FH_IN_PROGRESS. */
    int64_t (*read_body_async)(fh_request* req, void* buf, size_t size, fh_io_done done, void* arg);
    /** write without holding the worker: the bytes are copied. FH_OK when the connection took
     *  them; FH_IN_PROGRESS when some wait for a slow client, and `done(arg, FH_OK or an error)`
     *  follows once they are sent: write again only after it. Call it on the loop thread. On
     *  sync and gthread it blocks like write. */
    int (*write_async)(fh_response* res, const void* data, size_t size, fh_io_done done, void* arg);
    /** About the TLS connection the request came over (see fh_tls_field); empty for a cleartext
     *  connection. The text lives as long as the request. */
    fh_str (*tls)(const fh_request* req, int field);
} fh_server_api;

/** What a server hook learns about the server. */
typedef struct fh_server_info {
    uint32_t struct_size;
    int pid;          /**< the arbiter's pid */
    int workers;      /**< the number of workers wanted */
    const char* name; /**< proc_name (-n), or the app spec */
} fh_server_info;

/** What a server hook learns about a worker. */
typedef struct fh_worker_info {
    uint32_t struct_size;
    int pid;       /**< 0 in pre_fork (not started yet) */
    int age;       /**< spawn order, 1 for the first worker */
    int exit_code; /**< child_exit and worker_exit: the exit status, or -signal */
} fh_worker_info;

/** Optional server hooks, named and called as Gunicorn's (see docs/hooks.md). Any member may
 *  be NULL. Hooks that run in the arbiter must not block for long: the arbiter waits for them. */
typedef struct fh_hooks {
    uint32_t struct_size;                              /**< set to sizeof(fh_hooks) */
    void (*on_starting)(const fh_server_info* server); /**< arbiter, before the listeners are bound */
    void (*on_reload)(const fh_server_info* server);   /**< arbiter, on HUP before new workers start */
    void (*when_ready)(const fh_server_info* server);  /**< arbiter, listeners bound, before the first fork */
    void (*pre_fork)(const fh_server_info* server, const fh_worker_info* worker);  /**< arbiter */
    void (*post_fork)(const fh_server_info* server, const fh_worker_info* worker); /**< worker, before init */
    void (*post_worker_init)(const fh_worker_info* worker); /**< worker, after init, before serving */
    void (*worker_int)(const fh_worker_info* worker);       /**< worker, on INT/QUIT (quick exit) */
    /** Worker, on ABRT (missed heartbeat). Runs in a signal handler: async-signal-safe calls only. */
    void (*worker_abort)(const fh_worker_info* worker);
    void (*pre_request)(const fh_worker_info* worker, const fh_server_api* api, fh_request* req);
    void (*post_request)(const fh_worker_info* worker, const fh_server_api* api, fh_request* req, int status);
    void (*child_exit)(const fh_server_info* server, const fh_worker_info* worker);       /**< arbiter, worker reaped */
    void (*worker_exit)(const fh_server_info* server, const fh_worker_info* worker);      /**< worker, as it exits */
    void (*nworkers_changed)(const fh_server_info* server, int new_value, int old_value); /**< arbiter */
    void (*on_exit)(const fh_server_info* server); /**< arbiter, just before it exits */
    /** Worker, for each TLS context it makes (at start): `ssl_ctx` is the OpenSSL SSL_CTX*, set up
     *  from the TLS settings, which the app may adjust (Gunicorn's ssl_context hook). */
    void (*ssl_context)(const fh_server_info* server, void* ssl_ctx);
} fh_hooks;

/** The application descriptor returned by the exported entry function. */
typedef struct fh_app {
    uint32_t abi_version; /**< set to FORKHORN_ABI_VERSION */
    uint32_t struct_size; /**< set to sizeof(fh_app) */
    const char* name;     /**< shown in logs; may be NULL */

    /** Optional. Called once per worker process (after fork, or in the arbiter with --preload),
     *  before any request. Returns 0 on success; anything else stops the server from booting. */
    int (*init)(const fh_server_api* api, void** state);
    /** Optional. Called once when the worker exits cleanly. */
    void (*shutdown)(void* state);
    /** Required. Serves one request; returns an fh_handle_result. */
    int (*handle)(void* state, const fh_server_api* api, fh_request* req, fh_response* res);
    /** Optional server hooks (added in v1 after `handle`; read only when struct_size covers it). */
    const fh_hooks* hooks;
} fh_app;

/** The type of the exported entry function. */
typedef const fh_app* (*fh_app_entry)(void);

#ifdef __cplusplus
}
#endif

#endif
