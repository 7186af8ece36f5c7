// "Read this page aloud" for the elder-friendly mode, using the browser's own speech synthesis.
// The button stays hidden unless the browser can speak the page's language (zh-CN for Chinese).
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button || !("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) { return; }
  var synth = window.speechSynthesis;
  var pageLang = (document.documentElement.lang || "zh-CN").toLowerCase();
  var startLabel = button.textContent;
  var stopLabel = button.getAttribute("data-stop") || startLabel;
  var voice = null;

  function pickVoice() {
    var voices = synth.getVoices();
    var wanted = pageLang.indexOf("zh") === 0 ? ["zh-cn", "zh"] : [pageLang, pageLang.split("-")[0]];
    for (var w = 0; w < wanted.length && !voice; w++) {
      for (var i = 0; i < voices.length; i++) {
        var lang = (voices[i].lang || "").toLowerCase().replace("_", "-");
        if (lang === wanted[w] || lang.indexOf(wanted[w] + "-") === 0) { voice = voices[i]; break; }
      }
    }
    button.hidden = !voice;
  }

  function textOfMain() {
    var main = document.getElementById("main");
    var clone = main.cloneNode(true);
    // Leave out the QR code's path data and anything hidden from everyone.
    clone.querySelectorAll("svg, script, [hidden], [aria-hidden='true']").forEach(function (node) { node.remove(); });
    return clone.innerText || clone.textContent || "";
  }

  function stop() {
    synth.cancel();
    button.textContent = startLabel;
  }

  button.addEventListener("click", function () {
    if (synth.speaking) { stop(); return; }
    var utterance = new SpeechSynthesisUtterance(textOfMain());
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    utterance.onend = stop;
    utterance.onerror = stop;
    button.textContent = stopLabel;
    synth.speak(utterance);
  });

  pickVoice();
  if (!voice && "onvoiceschanged" in synth) { synth.addEventListener("voiceschanged", pickVoice); }
})();
