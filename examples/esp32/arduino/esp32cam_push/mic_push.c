/*
 * mic_push: see mic_push.h. Plain C over ESP-IDF (driver/i2s.h, FreeRTOS, esp_timer) and the
 * rtse_push client.
 */
#include "mic_push.h"

#include <string.h>

#include "driver/i2s.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "rtse_push.h"

#define MIC_PORT I2S_NUM_1 /* I2S_NUM_0 drives the camera */
#define CHUNK_MS 40        /* sound per chunk: 25 chunks a second */
#define MAX_RATE 48000
#define SLOT_BYTES 4 /* 24 valid bits in a 32-bit slot, little-endian */
#define DRIFT_US 50000

static const char *TAG = "mic_push";
static mic_push_config cfg;
static rtse_conn conn; /* static: no heap */
/* One chunk at the highest rate: 40 ms of 48 kHz is 1920 slots, 7680 bytes. */
static uint8_t chunk[MAX_RATE * CHUNK_MS / 1000 * SLOT_BYTES];

static int64_t llabs64(int64_t v) { return v < 0 ? -v : v; }

static void mic_task(void *arg) {
    const size_t bytes = (size_t)cfg.rate * CHUNK_MS / 1000 * SLOT_BYTES;
    const int64_t chunk_us = (int64_t)CHUNK_MS * 1000;
    uint32_t backoff_ms = 1000;
    bool open = false;
    int64_t anchor_us = 0; /* esp_timer time of sample `anchor_sample` */
    uint64_t anchor_sample = 0, sample = 0;
    (void)arg;
    for (;;) {
        size_t got = 0, at = 0;
        int rc;
        int64_t now, first, counted;
        if (!open) {
            rc = rtse_connect_audio(&conn, cfg.host, cfg.port, cfg.path, cfg.token,
                                    RTSE_PCM_S32LE, cfg.rate, 1);
            if (rc != RTSE_OK) {
                ESP_LOGW(TAG, "%s (HTTP %d: %s)", rtse_strerror(rc), conn.status, conn.message);
                rtse_close(&conn);
                vTaskDelay(pdMS_TO_TICKS(backoff_ms));
                backoff_ms = backoff_ms >= 15000 ? 30000 : backoff_ms * 2;
                continue;
            }
            open = true;
            anchor_us = 0; /* a new push starts a new count */
            sample = anchor_sample = 0;
            i2s_zero_dma_buffer(MIC_PORT); /* what waited during the connect is stale */
        }
        while (at < bytes) { /* a whole chunk: i2s_read may return less */
            if (i2s_read(MIC_PORT, chunk + at, bytes - at, &got, portMAX_DELAY) != ESP_OK) break;
            at += got;
        }
        now = esp_timer_get_time();
        /* The chunk's first sample was taken one chunk before its last reached us. */
        first = now - chunk_us;
        counted = anchor_us + (int64_t)((sample - anchor_sample) * 1000000ULL / cfg.rate);
        if (anchor_us == 0 || llabs64(counted - first) > DRIFT_US) {
            anchor_us = first;
            anchor_sample = sample;
            counted = first;
        }
        sample += at / SLOT_BYTES;
        rc = rtse_send_frame(&conn, chunk, at, (uint64_t)counted);
        if (rc != RTSE_OK) {
            ESP_LOGW(TAG, "audio push ended: %s (HTTP %d: %s)", rtse_strerror(rc), conn.status,
                     conn.message);
            rtse_close(&conn);
            open = false;
            /* 401, 404, 415 will not fix themselves; 409 "no video" waits for the camera. */
            vTaskDelay(pdMS_TO_TICKS(conn.status == 401 || conn.status == 404 ||
                                             conn.status == 415
                                         ? 60000
                                         : backoff_ms));
            backoff_ms = backoff_ms >= 15000 ? 30000 : backoff_ms * 2;
            continue;
        }
        backoff_ms = 1000;
    }
}

bool mic_push_start(const mic_push_config *config) {
    i2s_config_t i2s = {
        .mode = (i2s_mode_t)(I2S_MODE_MASTER | I2S_MODE_RX),
        .sample_rate = config->rate,
        /* The INMP441 sends 24 bits, MSB first, in 32-bit slots; the server keeps the top 16. */
        .bits_per_sample = I2S_BITS_PER_SAMPLE_32BIT,
        /* L/R pin to GND: the left slot. Silence? Some core versions swap left and right. */
        .channel_format = I2S_CHANNEL_FMT_ONLY_LEFT,
        .communication_format = I2S_COMM_FORMAT_STAND_I2S,
        .intr_alloc_flags = 0,
        .dma_buf_count = 4,
        .dma_buf_len = 320, /* 4 x 20 ms at 16 kHz: room for a short network stall */
        .use_apll = false,
    };
    i2s_pin_config_t pins = {
        .bck_io_num = config->bck_gpio,
        .ws_io_num = config->ws_gpio,
        .data_out_num = I2S_PIN_NO_CHANGE,
        .data_in_num = config->data_gpio,
    };
    if (config->rate < 8000 || config->rate > MAX_RATE) {
        ESP_LOGE(TAG, "rate %u: use 8000 to 48000", (unsigned)config->rate);
        return false;
    }
    cfg = *config;
    if (i2s_driver_install(MIC_PORT, &i2s, 0, NULL) != ESP_OK ||
        i2s_set_pin(MIC_PORT, &pins) != ESP_OK) {
        ESP_LOGE(TAG, "I2S setup failed");
        return false;
    }
    /* Its own task: a send that blocks must not stall the camera's loop, nor it this one. */
    return xTaskCreate(mic_task, "mic_push", 4096, NULL, 5, NULL) == pdPASS;
}
