// Camera scan on the desk's city-code page, where the browser has BarcodeDetector and a camera.
// Without either the button stays hidden and the page works by pasting or typing the code.
(function () {
  "use strict";
  var box = document.getElementById("camera-scan");
  var form = document.getElementById("verify-form");
  if (!box || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) { return; }
  var input = form.querySelector("input[name=code]");
  var start = document.getElementById("camera-start");
  var status = document.getElementById("camera-status");
  var video = null;
  var stream = null;

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") !== -1) { box.hidden = false; }
  }).catch(function () { /* no detector: keep typing only */ });

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    if (video) { video.remove(); video = null; }
  }

  function scan(detector) {
    if (!video) { return; }
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        input.value = codes[0].rawValue;
        stop();
        form.requestSubmit ? form.requestSubmit() : form.submit();
        return;
      }
      window.requestAnimationFrame(function () { scan(detector); });
    }).catch(function () { window.requestAnimationFrame(function () { scan(detector); }); });
  }

  start.addEventListener("click", function () {
    if (stream) { stop(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
      stream = media;
      video = document.createElement("video");
      video.setAttribute("playsinline", "");
      video.setAttribute("muted", "");
      video.setAttribute("width", "320");
      video.setAttribute("aria-hidden", "true");
      video.srcObject = media;
      box.appendChild(video);
      return video.play();
    }).then(function () {
      scan(new window.BarcodeDetector({ formats: ["qr_code"] }));
    }).catch(function () {
      stop();
      status.textContent = box.getAttribute("data-unsupported");
    });
  });
})();
