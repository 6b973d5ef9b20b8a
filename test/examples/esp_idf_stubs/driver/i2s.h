/* Stub of ESP-IDF 4.4's legacy I2S driver: only the names mic_push.c uses, with their IDF types,
 * so that gcc can check the example's C here (the real header needs the IDF tree). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "freertos/FreeRTOS.h"

typedef int esp_err_t;
#define ESP_OK 0
typedef enum { I2S_NUM_0 = 0, I2S_NUM_1 = 1 } i2s_port_t;
typedef enum { I2S_MODE_MASTER = 1, I2S_MODE_SLAVE = 2, I2S_MODE_TX = 4, I2S_MODE_RX = 8 } i2s_mode_t;
typedef enum { I2S_BITS_PER_SAMPLE_16BIT = 16, I2S_BITS_PER_SAMPLE_32BIT = 32 } i2s_bits_per_sample_t;
typedef enum { I2S_CHANNEL_FMT_ONLY_RIGHT = 3, I2S_CHANNEL_FMT_ONLY_LEFT = 4 } i2s_channel_fmt_t;
typedef enum { I2S_COMM_FORMAT_STAND_I2S = 1 } i2s_comm_format_t;
#define I2S_PIN_NO_CHANGE (-1)

typedef struct {
    i2s_mode_t mode;
    uint32_t sample_rate;
    i2s_bits_per_sample_t bits_per_sample;
    i2s_channel_fmt_t channel_format;
    i2s_comm_format_t communication_format;
    int intr_alloc_flags;
    int dma_buf_count;
    int dma_buf_len;
    int use_apll;
} i2s_config_t;

typedef struct {
    int mck_io_num;
    int bck_io_num;
    int ws_io_num;
    int data_out_num;
    int data_in_num;
} i2s_pin_config_t;

esp_err_t i2s_driver_install(i2s_port_t i2s_num, const i2s_config_t *i2s_config, int queue_size,
                             void *i2s_queue);
esp_err_t i2s_set_pin(i2s_port_t i2s_num, const i2s_pin_config_t *pin);
esp_err_t i2s_read(i2s_port_t i2s_num, void *dest, size_t size, size_t *bytes_read,
                   TickType_t ticks_to_wait);
esp_err_t i2s_zero_dma_buffer(i2s_port_t i2s_num);
