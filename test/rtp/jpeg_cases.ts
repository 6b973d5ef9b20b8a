/**
 * Small JPEG pictures for the RTP/JPEG tests, made once with ffmpeg 5.1 (testsrc2) and libjpeg-turbo
 * 2.1's cjpeg, and kept inline so the unit tests need neither. Plus helpers that edit JPEG headers
 * and a frame of any size for fragmentation cases.
 *
 * @module
 */

import { seededRandom } from "../support/bytes.ts";

function jpeg(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** 64x48 4:2:0 from `ffmpeg -c:v mjpeg -huffman default -pix_fmt yuvj420p` (one quant table). */
export const FFMPEG_420: Uint8Array = jpeg(
  "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgQEBMQExYWFhYWFhoYGhsbGxoaGhobGxsdHR" +
    "0iIiIdHR0bGx0dICAiIiUmJSMjIiMmJigoKDAwLi44ODpFRVP/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsB" +
    "AAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKCxAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0" +
    "KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJ" +
    "ipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6EQACAQ" +
    "IEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6" +
    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8" +
    "TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/wAARCAAwAEADASIAAhEAAxEA/9oADAMBAAIRAxEAPwDy4md5" +
    "WSPsNx+6AABkks3AHuTWlDJfROyKcEqH/wCWZXZgndv+7t9847VLEQ32uPbvZvJYR5wZFjO5wD67fTn0Fbasn2T7Ps/ef6" +
    "z7PuO7Z5u/Zu/vbO33/avMx2Onipe9C8ebSMnzcqkk76te6ttktNz6bEYdOFelKblFt3X2Zck9I8uqu2tN32RnjUL+3kXM" +
    "m04yDtjIII6ghSCPcVrpq+pyHCzZ4JPyQgADuSUwB9ax5Tt+yIMROrO20nPlh3ym4n0HXPPqKswncLlDiR2ZWwD/AKza5L" +
    "bSPUdMc+grwJwptczpU7/4V/Na/p13PAoUIU24Q91XvZJLX2adtF8V/d+G/l0OF+z3O/Zt52eZnKbdmM79+dm33zjPHWp1" +
    "a4tWKn5SwVv4WDA5wQRkEe4NdluT7H9l2fvf9Z9m3Hd5fneZs3dd2zt9/HOKyJm2LaRriGRGdtrHPkiSTcm8kHoOTnnHUV" +
    "91DMsVUfLKU7c0o/FLVRTaqfE/dbVtmv7zPShRjSkpRk00r3Wlm9HDZapPun5EdtdXjSDy25AJzhMAAckkjAHua3vtupbt" +
    "m/nbv+7Ft24zu3Y27ffOKzLVt32tGIld2RsKcebscl9pAHUcjHOOgroNy/ZvI2fP9/yMnds8zftz/e2dvve1cFfG1lO2r1" +
    "jHduyaT59ZL3U3bZL+8jhxWEpYuanW9+Sp6Smua9pO1NXjLV7qzb/unnFz/rW/D+QqKPvUtz/rW/D+QqKPvXKvgXoj0sx3" +
    "r/8AXx/+ll5PvCr1UU+8KvVyy3Pm6Pwv1OOq1H3qrVqPvX3EtjqpfGvn+ReT7wq7VJPvCrtcEtzixn8Rf4V+bCeCR5GIXI" +
    "OO49B71LBZXEm7amcY/iX39TW3XS6d/wAtP+A/1r4mpiJQp6KOlu/+Z+gZ9h4YfA4nERcnNODs7cvvVYp6JJ9dNTmItLvH" +
    "cARZJz/HH6f71bP9iah/zw/8iRf/ABdejWf+vT/gX/oJrua+Xr5jWhJJRp7dpf8AyR+a5ZUeIoylKyam1p/hi+t+58VbG9" +
    "P5VoQW8sm7aucY7j39TRXTad/y0/4D/Wv6kq5bRjBvmqdOse/+E9zAx9tiacJaJ822+kW/MpRWFy7gCPJOf4k9P96tj+yr" +
    "3/nl/wCPx/8AxVddZ/69P+Bf+gmu3r5WthoQkknLby/yPmuI60sBi6dOmlJOjGfv6u7nNdHHTQ//2Q==",
);

/** 64x48 4:2:2 (Y 2x1) from `cjpeg -sample 2x1`. */
export const CJPEG_422: Uint8Array = jpeg(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQF" +
    "dBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P" +
    "T09PT09PT09PT09PT09PT0//wAARCAAwAEADASEAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8" +
    "QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0" +
    "NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7" +
    "i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcI" +
    "CQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGR" +
    "omJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmq" +
    "srO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDjWN5NeyQ2vO1dx6" +
    "AKAMkknoPrVu0l1m3neGNtrsgkJwhUrjO7d0x75rbO60a1R06jvy3+6/l6HZiY1K2HqUXrGTSt6PQsrrOtWV2m+42Pjcp2" +
    "IQQR1Bxg1eh8S+IZ3KxXmSASf3UYAA7kkcV85UwOGl7zj+LPPwdD2CdKCtr+Jyf2HUPtP2fyvn8vzM5Xbsxndu6Y981LHJ" +
    "f6dI0bny2dVYcKwYdiDyCPpX2jzerU9xT312/4B14enOhUVSOlv8i7p+o6rJdj7NLl1BYnauFGOSSRgCtP+1fEHn+T5/zb" +
    "N+dke3b67sYx75rirY581pS1S7f8A482wbx1aNWrHmdkt7dX2t3KdsUf+0rby/Okk8plhzgyBTlgD64/GtBHi/sb+z/Ixc" +
    "D979k3ncE8zdtz67e3X2r5ypFu3qn8rJXPpMU1zVLrfmXzbehUuW8s6bAm23mjZ22Mc+UGbK5P09altG3rfwvtnldlbapx" +
    "5u1stg/SiUfcv53+V7nmU377XTa3ny2/4Au+H+wv7L8j/Sf9b9i3nds8zftz67e3X2qhdv5Uel20e21uInd/Lds+QGfKbi" +
    "fb159a7aEZczTd7ylL1TTV/wDgHS2tLLol877Emmvv/tOCUrcTyur7UbAm2sS20/T0rU3xf2T9g8r9/wD6z7Lu+bbv3bc+" +
    "u3t19qyxMXz6O3vJ/JJK/wDwDOTSbbW8WvVtvT/gnKah/wAfsn4fyFRwfxVuvgQs03qer/MsRf6wVYrGW55dD4TDqWD+Kv" +
    "oJbG1H40WIv9YKs1zy3OfHfxF6EOof8fsn4fyFRwfxV5q+BHrZpvU9X+ZYi/1gqxWMtzy6HwmHUsH8VfQS2NqPxosRf6wV" +
    "Zrnluc+O/iL0C8tJ5bp3SPKnGDkelPs9Jvp9/lQbtuM/Oo/rXkOvTjT1Z7mdUKlGlVrzVo339Xp5l+28ParLOqJa5Y5wPM" +
    "X0+tX/APhE9d/58f8AyKn+NcVTH4eLs5fg/wDI8LBVI1qblT1Vzi/Jk/u/rVqysrmff5Ue7bjPzAV9zPL8TGN3H8V/mdWF" +
    "Tq1VCGrf+RfttH1CWdUS3yxzgb19PrV//hHNX/59P/Iif41wVMPUi7NHFnFaGErqnXdm1fvpd9hK1tC/5b/8B/rXyeI/hs" +
    "+x4q/5FFX/ALd/9KR0Wlf8hGL8f5Gujr57FfGvQ+JyH/dpf4n+SPB619A/5b/8B/rX9A4j+Gz1co/3yHz/ACZ0elf8hGL8" +
    "f5Guir57FfGvQ8Ljj/kYQ/wL/wBKkf/Z",
);

/** 51x29 4:2:0 with a restart interval of 4 MCUs from `cjpeg -restart 1`. */
export const CJPEG_420_DRI: Uint8Array = jpeg(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQF" +
    "dBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P" +
    "T09PT09PT09PT09PT09PT0//wAARCAAdADMDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8" +
    "QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0" +
    "NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7" +
    "i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcI" +
    "CQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGR" +
    "omJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmq" +
    "srO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/90ABAAE/9oADAMBAAIRAxEAPwDlPs8jLL" +
    "cPcSLGsvlhUYA8LuJ5IHTt3rT+x31tLHZnUZfMYfKVbCjrjjOex6dKwJ7maC7mWJ8KWBIIBGR0OD3qWO9ufKGZnJOfmPJG" +
    "euD1FceJnWxD55u53ZgqMU4TjdKX9fgbNhqOqzfZ4Y9VuF8zIxvb5cVRudNkvDcai93Iyq+JN7KWYnG3nOP4hnPSoopZFj" +
    "jxIw2crg/dPtVC6v7oXTgTEKCRtAAU565HQ1WChUjUbovlf/BOWEqaglJFtoprPYsd4yxyxecuSfcY4zzkdelatgt/5MCJ" +
    "qMyPcLvXD4AznGRnJ+6eR04rnY7q4ctI0rbiuzIOPlxjHHb2q3bXU6wbFkIAyB6gHqAeorvqvEONufU0rzpuhaavHTQ25Z" +
    "76KVo21G6ZkOCROq89+Cc0Vkm7mPLMrHplkUn8yKKxSr21l+P/AADy3DC30h+C/wAz/9DhruCZrqRlicgnghanisLxolZb" +
    "ScgjghDWlXS6d/x4Q/7tePWxUqcVZHfxTTWCoxrR1cpfo2cxDpGptErLp10QRwRE1YOoQTRX00csTo6tgqy4Ir3PTv8Ajw" +
    "h/3a8m8V/8jPqH/XU/yr0OF6jzDFVKU9LK+nqjzeb9zCfdL8jHtbed4yUhkYZ6hSa0LbT754yUs52GeojJq9of/Ho/+/8A" +
    "0Fddof8Ax6P/ANdD/IV9NisBGnezN81j9XytYlavTQ4j+zNQ/wCfG5/79GivSKK4fq67nxX9sVP5Uf/Z",
);

/** 64x48 4:2:2 with a restart interval of 8 MCUs from `cjpeg -sample 2x1 -restart 2`. */
export const CJPEG_422_DRI: Uint8Array = jpeg(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQF" +
    "dBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P" +
    "T09PT09PT09PT09PT09PT0//wAARCAAwAEADASEAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8" +
    "QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0" +
    "NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7" +
    "i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcI" +
    "CQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGR" +
    "omJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmq" +
    "srO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/90ABAAI/9oADAMBAAIRAxEAPwDjWN5Ney" +
    "Q2vO1dx6AKAMkknoPrVu0l1m3neGNtrsgkJwhUrjO7d0x75rbO60a1R06jvy3+6/l6HZiY1K2HqUXrGTSt6PQsrrOtWV2m" +
    "+42Pjcp2IQQR1Bxg1eh8S+IZ3KxXmSASf3UYAA7kkcV85UwOGl7zj+LPPwdD2CdKCtr+Jyf2HUPtP2fyvn8vzM5Xbsxndu" +
    "6Y981LHJf6dI0bny2dVYcKwYdiDyCPpX2jzerU9xT312/4B14enOhUVSOlv8i7p+o6rJdj7NLl1BYnauFGOSSRgCtP+1fE" +
    "Hn+T5/zbN+dke3b67sYx75rirY581pS1S7f8A482wbx1aNWrHmdkt7dX2t3KdsUf+0rby/Okk8plhzgyBTlgD64/GtBHi/" +
    "sb+z/IxcD979k3ncE8zdtz67e3X2r5ypFu3qn8rJXPpMU1zVLrfmXzbehUuW8s6bAm23mjZ22Mc+UGbK5P09altG3rfwvt" +
    "nldlbapx5u1stg/SiUfcv53+V7nmU377XTa3ny2/4Au+H+wv7L8j/Sf9b9i3nds8zftz67e3X2qhdv5Uel20e21uInd/Ld" +
    "s+QGfKbifb159a7aEZczTd7ylL1TTV/wDgHS2tLLol877Emmvv/tOCUrcTyur7UbAm2sS20/T0rU3xf2T9g8r9/wD6z7Lu" +
    "+bbv3bc+u3t19qyxMXz6O3vJ/JJK/wDwDOTSbbW8WvVtvT/gn//Q4XUP+P2T8P5Co4P4q5V8CPQzTep6v8yxF/rBVisZbn" +
    "l0PhMOpYP4q+glsbUfjRYi/wBYKs1zy3OfHfxF6EOof8fsn4fyFRwfxV5q+BHrZpvU9X+ZYi/1gqxWMtzy6HwmHUsH8VfQ" +
    "S2NqPxosRf6wVZrnluc+O/iL0P/R4u8tJ5bp3SPKnGDkelPs9Jvp9/lQbtuM/Oo/rXA69ONPVnrZ1QqUaVWvNWjff1enmX" +
    "7bw9qss6olrljnA8xfT61f/wCET13/AJ8f/Iqf41xVMfh4uzl+D/yPCwVSNam5U9Vc4vyZP7v61asrK5n3+VHu24z8wFfc" +
    "zy/Exjdx/Ff5nVhU6tVQhq3/AJF+20fUJZ1RLfLHOBvX0+tX/wDhHNX/AOfT/wAiJ/jXBUw9SLs0cWcVoYSuqdd2bV++l3" +
    "2ErW0L/lv/AMB/rXyeI/hs+x4q/wCRRV/7d/8ASkdFpX/IRi/H+Rro6+exXxr0Pich/wB2l/if5I8HrX0D/lv/AMB/rX9A" +
    "4j+Gz1co/wB8h8/yZ0elf8hGL8f5Guir57FfGvQ8Ljj/AJGEP8C/9Kkf/9k=",
);

/** 64x48 4:2:0 with ffmpeg's default optimized Huffman tables. */
export const FFMPEG_OPTIMAL_HUFFMAN: Uint8Array = jpeg(
  "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgQEBMQExYWFhYWFhoYGhsbGxoaGhobGxsdHR" +
    "0iIiIdHR0bGx0dICAiIiUmJSMjIiMmJigoKDAwLi44ODpFRVP/xACRAAADAQEBAQAAAAAAAAAAAAAFBAYDBwAIAQADAQEA" +
    "AAAAAAAAAAAAAAAEBQYHCBAAAQMCAggDBgcBAQAAAAAAARESAgMAIQRhUTEyExQFQUKCM0PBsSKBUyOycdJyUhWjohEAAg" +
    "AFAgQEBAcBAAAAAAAAAQIAIQQDERIxMkFRInJiYQVx0bETgbJzM0IG0lL/wAARCAAwAEADASIAAhEAAxEA/9oADAMBAAIR" +
    "AxEAPwDlxNedWUKfYOO6AAApJlLADSTZKjUz1KcoRKExE/ZmLEJc/dbpVO160iJc3Ta+UuDIU1Q1I0y6YB1t1Y6hZuMocp" +
    "y7PxPU5dxczivY7+zO2/otZXVz1TdyZXVJWOrSGAOZkdo22AlvFNUU4KX7TOWUk5H8W0PJdMxkkS3PQQPHUM/l6kVqNKKC" +
    "2mQQRtBESCNIsvDq/U6hSNZcCT8lEAAdyTBAP1sPVLeUgEpTjKcmkrwxOawcTqG1cdYtmiXDMwKVJylGSA+o2ZMmkaxsTH" +
    "ULQOlsjUbVvPhH/WM/DnvCCxYS2SidoznAAE/tg4kOLPbw59OUQvL5l7G4s4irBrEV71Y3SqLhtveMsxlZGJ+UyEZeGQkC" +
    "qEEKCNIN2TocnyrPxfU5Zxdw+NxGO2uZ230xSxFaTI5SnFKNSEpybIrwRUqOg8kHYMSuKbRd0nuVVcOlmfGpl4mmFBIucR" +
    "7SRjYjzGGSWVtMGViCBnIlgmRTYTAPUH0jPLZrOSqDhyxAJVIIABiSSEA0mz3O9Scx+LX7tJrUVzka3SqWMysnc3CRFWc5" +
    "QkkSnFZMmbSANoxCYpsF0Do8twGfPv8AAUuZxHtX+zO29osC/W3g+JmaruTgEA65sO0E42A8wgGqpLVW4e93sLcmcas4Y4" +
    "tjKtM7jBJ8sc4zPqy+nwF5U+965n1ZfT4C8qfexRwD4CGXuO9/9Q/nh6G8LetGG8LesVt4m7PCfjEdbVPvattU+93DbQVa" +
    "4x+P0h6G8LdtKG8LdsBt4CrP3B4R9THq9CpOpIiKgp3Goab1oZLMVHNgqJ4o6dZs3dL072nl99xNyoZLcgssdfnGge/U6U" +
    "9DU1Cli4KHBxp7rqgyAB5ynExS6XnJzAFJSV8dPV/KzP8AidQ+x/0pfvvo2T9eHm/Kbubl7/uN5GAC29ujf6jNfbLhqLLM" +
    "2AQ5EvCp556x8VMlq+FkKGXq1HNiqJ3GnWb9dN072nl999SXfbbKoTqucua9fDDyhX71TbRpA6tt5KT6wlSyGZnMAU1JXx" +
    "Q1fysx/lZ37X/un+667J+vDzflN29yt6mRGABbb0+UTX9jvNQVdu3bAYGyr98zku45FZSj/9k=",
);

/** 64x48 4:2:2 as ffmpeg's MJPEG encoder writes it: Y 2x2, Cb and Cr 1x2. */
export const FFMPEG_422: Uint8Array = jpeg(
  "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgQEBMQExYWFhYWFhoYGhsbGxoaGhobGxsdHR" +
    "0iIiIdHR0bGx0dICAiIiUmJSMjIiMmJigoKDAwLi44ODpFRVP/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsB" +
    "AAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKCxAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0" +
    "KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJ" +
    "ipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6EQACAQ" +
    "IEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6" +
    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8" +
    "TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/wAARCAAwAEADASIAAhIAAxIA/9oADAMBAAIRAxEAPwDy4md5" +
    "WSPsNx+6AABkks3AHuTWlDJfROyKcEqH/wCWZXZgndv+7t9847VLEQ32uPbvZvJYR5wZFjO5wD67fTn0Fbasn2T7Ps/ef6" +
    "z7PuO7Z5u/Zu/vbO33/aunN60K1R06kub2bnZdldf5Hw9VSbWr+OE/+3VBJv7+h6uIjUrYetSavCpKKa78s7r7mfRYlpOv" +
    "pv7WP/bzm7L/AIJnjUL+3kXMm04yDtjIII6ghSCPcVrpq+pyHCzZ4JPyQgADuSUwB9ax5Tt+yIMROrO20nPlh3ym4n0HXP" +
    "PqKswncLlDiR2ZWwD/AKza5LbSPUdMc+grKeEw0vecdLdzRr3PO97+XtL7eh8DhKHsE6cFb33p52R7lN++10so2/vexUbX" +
    "9dDhfs9zv2bednmZym3ZjO/fnZt984zx1qdWuLVip+UsFb+FgwOcEEZBHuDXZbk+x/Zdn73/AFn2bcd3l+d5mzd13bO338" +
    "c4rImbYtpGuIZEZ22sc+SJJNybyQeg5OecdRX6u81qVPdVS91zbdP8/I+BoxlzO7bvWqVbWteEqckpX6Xb2OahCpQqKolZ" +
    "xbV/k0ey2tLK1qcYX7SUk2vu6kdtdXjSDy25AJzhMAAckkjAHua3vtupbtm/nbv+7Ft24zu3Y27ffOKzLVt32tGIld2RsK" +
    "cebscl9pAHUcjHOOgroNy/ZvI2fP8Af8jJ3bPM37c/3tnb73tX09XGvmtKeqjfbofI4iMufRtJVKdS1toKEU5fJrY+SzPC" +
    "vH1YVaked8qpp3t9qT/Xc+mk0m21fmoypp33m5NqPlfuecXP+tb8P5Coo+9S3P8ArW/D+QqKPvXavgXogXwL0QZjvX/6+P" +
    "8A9LFmO9f/AK+P/wBLLyfeFXqop94VerkluEtz5uj8L9Qo/C/U46rUfeqtWo+9fcS22Q5bHVS+NfP8gpfGvn+ReT7wq7VJ" +
    "PvCrtefLcctzixn8Rf4V+bDGfxF/hX5sJ4JHkYhcg47j0HvUsFlcSbtqZxj+Jff1NbddLp3/AC0/4D/Wvl3WhGGr2SPErf" +
    "w5fL8z7DNqM6NLEVpq1NTvfylUSX5o97iX/kUYn/uF/wCnoHMRaXeO4AiyTn+OP0/3q2f7E1D/AJ4f+RIv/i69Gs/9en/A" +
    "v/QTXc1rUxuHi9Z9Ox+f4n41/h/Vn5fhJxrU3KDulJr52R5+Sf7tP/r6/wD0mJ8VbG9P5VoQW8sm7aucY7j39TRXTad/y0" +
    "/4D/Wv6ingsQotuH4n6FX/AIcvl+aPocMnVqxjDVu9l6Js2yv/AHyl/wBv/wDpEilFYXLuAI8k5/iT0/3q2P7Kvf8Anl/4" +
    "/H/8VXXWf+vT/gX/AKCa7evySpQqReseh9FiPjXp+rPDzWpHB14wrPlk6aklvpzSX5pnkcY/8jCl/wBg0P8A05UP/9k=",
);

/** The segments of a JPEG up to its first SOS: marker, offset of the marker, total length. */
export function segments(bytes: Uint8Array): { marker: number; at: number; length: number }[] {
  const out = [];
  let at = 2;
  while (at < bytes.length) {
    const marker = bytes[at + 1];
    const length = 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
    out.push({ marker, at, length });
    if (marker === 0xda) break;
    at += length;
  }
  return out;
}

/** A copy of `bytes` without its segments of marker `marker` (e.g. 0xc4 to drop every DHT). */
export function withoutSegments(bytes: Uint8Array, marker: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let from = 2;
  for (const s of segments(bytes)) {
    if (s.marker !== marker) continue;
    parts.push(bytes.subarray(from, s.at));
    from = s.at + s.length;
  }
  parts.push(bytes.subarray(from));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A copy of `bytes` with `edit` applied to the body of its first segment of marker `marker`. */
export function editSegment(
  bytes: Uint8Array,
  marker: number,
  edit: (body: Uint8Array) => void,
): Uint8Array {
  const out = bytes.slice();
  const s = segments(out).find((s) => s.marker === marker);
  if (!s) throw new Error(`no segment 0xff${marker.toString(16)}`);
  edit(out.subarray(s.at + 4, s.at + s.length));
  return out;
}

/** The bytes after the first SOS header up to EOI. */
export function scanOf(bytes: Uint8Array): Uint8Array {
  const sos = segments(bytes).find((s) => s.marker === 0xda)!;
  return bytes.subarray(sos.at + sos.length, bytes.length - 2);
}

/**
 * `base`'s headers with a pseudo-random entropy-coded scan of about `size` bytes (0xff stuffed with
 * 0x00, some RSTn markers): not decodable, but the right shape for fragmentation tests.
 */
export function withRandomScan(base: Uint8Array, size: number, seed: number): Uint8Array {
  const sos = segments(base).find((s) => s.marker === 0xda)!;
  const head = base.subarray(0, sos.at + sos.length);
  const random = seededRandom(seed);
  const below = (n: number) => Math.floor(random() * n);
  const scan: number[] = [];
  while (scan.length < size) {
    const b = below(256);
    scan.push(b);
    if (b === 0xff) scan.push(below(8) === 0 ? 0xd0 + below(8) : 0x00);
  }
  const out = new Uint8Array(head.length + scan.length + 2);
  out.set(head);
  out.set(scan, head.length);
  out.set([0xff, 0xd9], head.length + scan.length);
  return out;
}
