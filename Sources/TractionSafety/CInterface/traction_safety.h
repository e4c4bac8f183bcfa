/* TractionSafety C interface: load a signed force-safety limits document, check every sample.
 * Implemented in Swift (Sources/TractionSafety/CInterface/CEntryPoints.swift, @_cdecl); link the
 * TractionSafety library (and the Swift runtime). Units: N, s, N/s.
 */
#ifndef TRACTION_SAFETY_H
#define TRACTION_SAFETY_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ts_envelope ts_envelope;

/* Return codes of ts_envelope_load: 0 success, else the refusal reason (RefusalReason order). */
enum {
    TS_OK = 0,
    TS_DOCUMENT_TOO_LARGE = 1, TS_MALFORMED_JSON, TS_NON_CANONICAL, TS_MISSING_SIGNATURE, TS_MALFORMED_SIGNATURE,
    TS_UNKNOWN_KEY, TS_BAD_SIGNATURE, TS_UNSUPPORTED_MAJOR_VERSION, TS_MISSING_FIELD, TS_UNKNOWN_FIELD,
    TS_WRONG_TYPE, TS_NON_FINITE_VALUE, TS_NEGATIVE_VALUE, TS_INVALID_VALUE, TS_MIN_ABOVE_MAX,
    TS_SOFT_ABOVE_HARD, TS_ABOVE_CONTROLLER_CEILING, TS_EXPIRED, TS_NOT_YET_VALID, TS_REGION_MISMATCH,
    TS_LEVEL_MISMATCH, TS_PATIENT_DIGEST_MISMATCH, TS_TREATMENT_BLOCKED, TS_CONFIGURATION_MISMATCH,
    TS_BAD_ARGUMENT = 100
};

/* Device configuration (the document's "configuration"; a mismatch refuses the document). */
enum { TS_SURFACE_SPLIT_TABLE = 0, TS_SURFACE_NON_SPLIT_TABLE = 1, TS_SURFACE_SUPINE = 2, TS_SURFACE_SEATED = 3 };
enum { TS_HARNESS_PELVIC = 0, TS_HARNESS_THORACO_PELVIC = 1, TS_HARNESS_HEAD_HALTER = 2, TS_HARNESS_OCCIPITAL_CRADLE = 3 };

/* Decisions returned by ts_envelope_check. */
enum { TS_CONTINUE = 0, TS_CLAMP = 1, TS_RAMP_DOWN_AND_STOP = 2, TS_STOP_NOW = 3 };

/* Clamp reasons (reason_code when TS_CLAMP). */
enum { TS_CLAMP_ABOVE_HARD_MAX = 1, TS_CLAMP_SOFT_MAX_NOT_ACKNOWLEDGED, TS_CLAMP_RAMP_UP_TOO_FAST,
       TS_CLAMP_RAMP_DOWN_TOO_FAST, TS_CLAMP_REST_TOO_SHORT };

/* Stop reasons (reason_code when TS_RAMP_DOWN_AND_STOP or TS_STOP_NOW). */
enum { TS_STOP_INVALID_INPUT = 1, TS_STOP_TIME_NOT_INCREASING, TS_STOP_MEASURED_ABOVE_HARD_MAX,
       TS_STOP_SUSTAINED_OVERSHOOT, TS_STOP_STALE_SENSOR, TS_STOP_SENSOR_TIME_WENT_BACKWARDS,
       TS_STOP_FROZEN_SENSOR, TS_STOP_TRACKING_ERROR, TS_STOP_SESSION_TIME_EXCEEDED, TS_STOP_HOLD_TOO_LONG,
       TS_STOP_HOLD_TOO_SHORT, TS_STOP_CYCLE_LIMIT_EXCEEDED };

/* Loads and checks a signed document; on success sets *out and returns TS_OK. region: 0 cervical,
 * 1 lumbar. level e.g. "L4-L5"; surface and harness: TS_SURFACE_* and TS_HARNESS_*; inputs_digest_hex: 64 lowercase hex; now_unix_s: seconds since
 * 1970-01-01T00:00:00Z; event_capacity in 1..TS_MAX_EVENT_CAPACITY. Every argument is checked: a NULL
 * pointer, a region other than 0/1, a surface or harness code not listed above, a level or digest that is not NUL-terminated within 16/64
 * characters, non-finite time or ceilings, or an event capacity out of range return TS_BAD_ARGUMENT
 * (never abort). On failure writes a NUL-terminated message (may be NULL). */
enum { TS_MAX_EVENT_CAPACITY = 65536 };
int32_t ts_envelope_load(const uint8_t *document, ptrdiff_t document_length, const uint8_t public_key[32],
                         double ceiling_max_force_n, double ceiling_max_ramp_up_n_per_s,
                         double ceiling_max_ramp_down_n_per_s, double ceiling_max_hold_s,
                         double ceiling_max_session_s, double ceiling_max_cycles,
                         int32_t region, const char *level, int32_t surface, int32_t harness,
                         const char *inputs_digest_hex, double now_unix_s,
                         int32_t event_capacity, ts_envelope **out, char *message, ptrdiff_t message_capacity);

/* Checks one sample (allocation-free). Returns TS_CONTINUE, TS_CLAMP (sets *clamp_to_n),
 * TS_RAMP_DOWN_AND_STOP or TS_STOP_NOW (sets *reason_code); -1 for a NULL envelope. */
int32_t ts_envelope_check(ts_envelope *envelope, double time_s, double commanded_n, double measured_n,
                          double sensor_time_s, int32_t soft_limit_acknowledged,
                          double *clamp_to_n, int32_t *reason_code);

/* Releases an envelope (NULL is ignored). */
void ts_envelope_free(ts_envelope *envelope);

#ifdef __cplusplus
}
#endif
#endif
