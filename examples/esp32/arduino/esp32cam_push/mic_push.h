/*
 * mic_push: an I2S MEMS microphone (INMP441, or any I2S mic giving 24 bits in 32-bit slots) pushed
 * to rtsp-edge as the audio track of the camera's path, from a FreeRTOS task of its own, on a
 * connection of its own (rtse_connect_audio): POST /ingest/<path>/audio with
 * Content-Type: audio/x-raw;format=s32le;rate=<rate>;channels=1, one chunk per CHUNK_MS.
 *
 * Each chunk is stamped with the capture time of its first sample on the esp_timer clock, the
 * clock the camera stamps its frames with (fb->timestamp), so rtsp-edge lines sound and pictures
 * up. The stamps count samples from an anchor at the first read (the I2S clock is steadier than
 * the time a read returns) and re-anchor when that drifts more than 50 ms from esp_timer (the I2S
 * rate is not exactly the nominal one, and samples are lost while the network stalls).
 *
 * Uses the legacy I2S driver (driver/i2s.h), present in ESP32 Arduino core 2.x (ESP-IDF 4.4) and,
 * deprecated, in 3.x. On the ESP32 the camera holds I2S0, so the microphone takes I2S1.
 */
#ifndef MIC_PUSH_H
#define MIC_PUSH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Where the microphone is wired and where its sound goes. The strings must outlive the task. */
typedef struct {
    int bck_gpio;        /* INMP441 SCK */
    int ws_gpio;         /* INMP441 WS */
    int data_gpio;       /* INMP441 SD */
    uint32_t rate;       /* samples per second: 16000 is what ESPHome and most codecs use */
    const char *host;    /* the machine running rtsp-edge */
    uint16_t port;       /* its HTTP port */
    const char *path;    /* the camera's path, e.g. "esp32cam" */
    const char *token;   /* the path's token, or "" */
} mic_push_config;

/** Installs the I2S driver and starts the pushing task. Returns false if either fails. */
bool mic_push_start(const mic_push_config *config);

#ifdef __cplusplus
}
#endif

#endif /* MIC_PUSH_H */
