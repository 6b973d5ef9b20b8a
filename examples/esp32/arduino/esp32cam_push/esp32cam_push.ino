/*
 * esp32cam_push: an AI-Thinker ESP32-CAM pushing its JPEG frames to rtsp-edge, which serves them
 * as rtsp://<server>:8554/<PATH> (encoded to H.264, or as RTP/JPEG, as the server's config says).
 *
 * One long-lived HTTP POST per connection: Transfer-Encoding: chunked, multipart/x-mixed-replace,
 * one part per frame with Content-Length and X-Timestamp-Us (the capture time). On any error the
 * sketch closes the connection and reconnects with backoff (1 s doubling to 30 s; 60 s after an
 * answer that will not fix itself, like 401 wrong token or 404 unknown path).
 *
 * BEFORE BUILDING: copy the client next to this sketch, so the IDE compiles it with the sketch
 * (Arduino only compiles files inside the sketch folder):
 *
 *     cp ../../client/rtse_push.c ../../client/rtse_push.h .
 *
 * It is the same C file the Linux tool push_file uses (BSD sockets; on the ESP32 they are
 * lwIP's), so the device and the tests speak byte for byte the same protocol.
 *
 * With MIC_ENABLED, an INMP441 I2S microphone (mic_push.c, in this folder) is pushed too, as the
 * path's audio track, stamped on the same clock as the frames so rtsp-edge keeps them in sync.
 *
 * Board: "AI Thinker ESP32-CAM" (ESP32 Arduino core 2.x), PSRAM enabled. 5 V to the board;
 * flash with an FTDI adapter at 3.3 V logic, GPIO0 to GND while resetting, then remove it.
 */

#include <WiFi.h>

#include "esp_camera.h"
#include "mic_push.h"
#include "rtse_push.h"

// ---- settings -------------------------------------------------------------------------------
static const char *WIFI_SSID = "your-ssid";
static const char *WIFI_PASSWORD = "your-password";
static const char *SERVER_HOST = "192.168.1.10";  // the machine running rtsp-edge
static const uint16_t SERVER_PORT = 8080;         // rtsp-edge --http-port (or "httpPort")
static const char *STREAM_PATH = "esp32cam";      // served as rtsp://<host>:8554/esp32cam
static const char *TOKEN = "change-me-cam";       // the path's "token"; "" for none
static const framesize_t FRAME_SIZE = FRAMESIZE_VGA;  // 640x480; QVGA, SVGA, XGA, HD, UXGA ...
static const int JPEG_QUALITY = 12;                   // 0..63, lower is better and larger
static const uint32_t MAX_FPS = 15;                   // 0: as fast as the camera goes
// An INMP441 microphone: VDD to 3.3V, GND and L/R to GND, SCK, WS and SD to these GPIOs (the
// SD card's pins: leave the card out). Served as L16, or as G.711 with "audio: pcmu" on the path.
static const bool MIC_ENABLED = false;
static const mic_push_config MIC = {
    14,     // SCK
    15,     // WS
    13,     // SD
    16000,  // samples per second
    SERVER_HOST, SERVER_PORT, STREAM_PATH, TOKEN,
};
// -----------------------------------------------------------------------------------------------

// CAMERA_MODEL_AI_THINKER, as in the core's CameraWebServer example (camera_pins.h).
#define PWDN_GPIO_NUM 32
#define RESET_GPIO_NUM -1
#define XCLK_GPIO_NUM 0
#define SIOD_GPIO_NUM 26
#define SIOC_GPIO_NUM 27
#define Y9_GPIO_NUM 35
#define Y8_GPIO_NUM 34
#define Y7_GPIO_NUM 39
#define Y6_GPIO_NUM 36
#define Y5_GPIO_NUM 21
#define Y4_GPIO_NUM 19
#define Y3_GPIO_NUM 18
#define Y2_GPIO_NUM 5
#define VSYNC_GPIO_NUM 25
#define HREF_GPIO_NUM 23
#define PCLK_GPIO_NUM 22

static rtse_conn conn;  // static: no heap, and it outlives every reconnect
static bool streaming = false;
static uint32_t backoff_ms = 1000;
static uint32_t next_attempt_ms = 0;
static uint32_t last_frame_ms = 0;

static bool start_camera() {
  camera_config_t config = {};
  config.ledc_channel = LEDC_CHANNEL_0;
  config.ledc_timer = LEDC_TIMER_0;
  config.pin_d0 = Y2_GPIO_NUM;
  config.pin_d1 = Y3_GPIO_NUM;
  config.pin_d2 = Y4_GPIO_NUM;
  config.pin_d3 = Y5_GPIO_NUM;
  config.pin_d4 = Y6_GPIO_NUM;
  config.pin_d5 = Y7_GPIO_NUM;
  config.pin_d6 = Y8_GPIO_NUM;
  config.pin_d7 = Y9_GPIO_NUM;
  config.pin_xclk = XCLK_GPIO_NUM;
  config.pin_pclk = PCLK_GPIO_NUM;
  config.pin_vsync = VSYNC_GPIO_NUM;
  config.pin_href = HREF_GPIO_NUM;
  config.pin_sccb_sda = SIOD_GPIO_NUM;
  config.pin_sccb_scl = SIOC_GPIO_NUM;
  config.pin_pwdn = PWDN_GPIO_NUM;
  config.pin_reset = RESET_GPIO_NUM;
  config.xclk_freq_hz = 20000000;
  config.pixel_format = PIXFORMAT_JPEG;
  config.frame_size = FRAME_SIZE;
  config.jpeg_quality = JPEG_QUALITY;
  if (psramFound()) {
    // Two buffers in PSRAM, always handing out the newest picture: a slow network drops
    // frames instead of sending old ones.
    config.fb_count = 2;
    config.fb_location = CAMERA_FB_IN_PSRAM;
    config.grab_mode = CAMERA_GRAB_LATEST;
  } else {
    config.fb_count = 1;
    config.fb_location = CAMERA_FB_IN_DRAM;
    config.grab_mode = CAMERA_GRAB_WHEN_EMPTY;
    if (config.frame_size > FRAMESIZE_SVGA) config.frame_size = FRAMESIZE_SVGA;
  }
  esp_err_t err = esp_camera_init(&config);
  if (err != ESP_OK) {
    Serial.printf("camera init failed: 0x%x\n", err);
    return false;
  }
  return true;
}

static void retry_later(uint32_t ms) {
  next_attempt_ms = millis() + ms;
  Serial.printf("reconnecting in %lu ms\n", (unsigned long)ms);
}

// Ends the connection after an error and picks how long to wait before the next attempt.
static void stop_streaming(int rc) {
  if (conn.status != 0) {
    Serial.printf("server answered %s\n", conn.message);
  } else {
    Serial.printf("stream ended: %s (errno %d)\n", rtse_strerror(rc), conn.sys_errno);
  }
  rtse_close(&conn);
  streaming = false;
  int s = conn.status;
  if (s == 401 || s == 403 || s == 404 || s == 415) {
    retry_later(60000);  // a setting is wrong here or on the server: do not hammer it
  } else {
    retry_later(backoff_ms);
    backoff_ms = backoff_ms >= 15000 ? 30000 : backoff_ms * 2;
  }
}

void setup() {
  Serial.begin(115200);
  if (!start_camera()) {
    delay(5000);
    ESP.restart();
  }
  WiFi.mode(WIFI_STA);
  WiFi.setSleep(false);  // modem sleep adds latency and drops throughput
  WiFi.setAutoReconnect(true);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  Serial.print("connecting to WiFi");
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.printf("\nIP %s, pushing to http://%s:%u/ingest/%s\n", WiFi.localIP().toString().c_str(),
                SERVER_HOST, SERVER_PORT, STREAM_PATH);
  // The microphone's task pushes on its own connection; until the first frame has gone out the
  // server holds its sound back (up to 10 s), so starting both at once is fine.
  if (MIC_ENABLED && !mic_push_start(&MIC)) Serial.println("microphone not started");
}

void loop() {
  if (WiFi.status() != WL_CONNECTED) {
    if (streaming) stop_streaming(RTSE_ERR_CLOSED);
    delay(500);
    return;
  }
  if (!streaming) {
    if ((int32_t)(millis() - next_attempt_ms) < 0) {
      delay(20);
      return;
    }
    int rc = rtse_connect(&conn, SERVER_HOST, SERVER_PORT, STREAM_PATH, TOKEN, RTSE_JPEG);
    if (rc != RTSE_OK) {
      stop_streaming(rc);
      return;
    }
    Serial.println("streaming");
    streaming = true;
  }
  if (MAX_FPS > 0 && millis() - last_frame_ms < 1000 / MAX_FPS) {
    delay(1);
    return;
  }
  camera_fb_t *fb = esp_camera_fb_get();
  if (fb == NULL) {
    Serial.println("no frame from the camera");
    delay(10);
    return;
  }
  last_frame_ms = millis();
  // The capture time (esp_timer, microseconds since boot): a monotonic clock, as the server
  // wants, and truer than the send time when the network is slow.
  uint64_t ts = (uint64_t)fb->timestamp.tv_sec * 1000000ULL + (uint64_t)fb->timestamp.tv_usec;
  int rc = rtse_send_frame(&conn, fb->buf, fb->len, ts);
  esp_camera_fb_return(fb);
  if (rc != RTSE_OK) {
    stop_streaming(rc);
    return;
  }
  backoff_ms = 1000;  // a frame went through: the next failure starts the backoff afresh
}
