/* Maps (Leaflet), a progressive enhancement: every map's element is rendered `hidden`, and shown
   only when Leaflet loaded and a tile server is configured. Without JavaScript or tiles the page
   works without it: the event list is the accessible equivalent, the coordinates stay number
   inputs.

   <section data-event-map="list|pick|show" hidden
            data-tiles data-attribution data-api data-bbox="w,s,e,n" data-query
            data-label-cluster data-label-event data-lat-input data-lon-input data-lat data-lon>
     <div data-map-canvas></div>
   </section>

   list: clusters and events from the map API for the visible bounding box, refetched on pan and
         zoom, with the list's filters (its query string). A cluster zooms to its events.
   pick: a pin that a click places and a drag moves, filling the latitude/longitude inputs.
   show: one pin, read-only. */
(function () {
  "use strict";
  if (!window.L || !window.fetch) { return; }
  var L = window.L;
  var MAX_ZOOM = 18;

  function numbers(text) {
    return (text || "").split(",").map(Number).filter(function (n) { return isFinite(n); });
  }

  function fitBox(map, box) {
    if (box.length === 4) { map.fitBounds([[box[1], box[0]], [box[3], box[2]]]); }
    else { map.setView([50, 10], 4); }
  }

  function baseMap(section) {
    var canvas = section.querySelector("[data-map-canvas]");
    section.hidden = false;
    var map = L.map(canvas, {maxZoom: MAX_ZOOM, minZoom: 2, worldCopyJump: false});
    map.attributionControl.setPrefix("");
    L.tileLayer(section.getAttribute("data-tiles"), {
      maxZoom: MAX_ZOOM,
      attribution: section.getAttribute("data-attribution") || ""
    }).addTo(map);
    return map;
  }

  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  function bboxParam(map) {
    var b = map.getBounds();
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)]
      .map(function (n) { return n.toFixed(5); }).join(",");
  }

  function listQuery(section) {
    // The list's current filters: the page's own query string (what the list shows), or the one
    // the page hands the map (national pages), without the list's page number.
    var given = section.getAttribute("data-query");
    var params = new URLSearchParams(given !== null ? given : window.location.search);
    params.delete("page");
    params.delete("bbox");
    params.delete("zoom");
    return params;
  }

  function clusterIcon(count, label) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 50;
    var holder = document.createElement("span");
    var number = document.createElement("span");
    number.setAttribute("aria-hidden", "true");
    number.textContent = count.toLocaleString(document.documentElement.lang || undefined);
    var text = document.createElement("span");
    text.className = "visually-hidden";
    text.textContent = label.replace("{count}", count);
    holder.appendChild(number);
    holder.appendChild(text);
    return L.divIcon({html: holder, className: "map-cluster", iconSize: [size, size]});
  }

  function eventIcon() {
    return L.divIcon({html: "", className: "map-event", iconSize: [18, 18]});
  }

  function popupContent(props) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = props.title;
    link.className = "map-popup__title";
    box.appendChild(link);
    var details = [];
    if (props.start) {
      var when = new Date(props.start);
      if (!isNaN(when)) {
        details.push(new Intl.DateTimeFormat(document.documentElement.lang || undefined,
          {dateStyle: "medium", timeStyle: "short"}).format(when));
      }
    }
    if (props.city) { details.push(props.city); }
    if (details.length) {
      var p = document.createElement("p");
      p.textContent = details.join(" · ");
      box.appendChild(p);
    }
    return box;
  }

  function listMap(section) {
    var map = baseMap(section);
    var layer = L.layerGroup().addTo(map);
    var api = section.getAttribute("data-api");
    var clusterLabel = section.getAttribute("data-label-cluster") || "{count}";
    var status = section.querySelector("[data-map-status]");
    var statusText = status ? status.getAttribute("data-template") : "";
    var controller = null;
    var timer = null;

    function draw(data) {
      layer.clearLayers();
      (data.features || []).forEach(function (feature) {
        var c = feature.geometry && feature.geometry.coordinates;
        var props = feature.properties || {};
        if (!c || c.length < 2) { return; }
        var where = [c[1], c[0]];
        if (props.cluster) {
          var marker = L.marker(where, {icon: clusterIcon(props.count, clusterLabel), keyboard: true,
                                        title: clusterLabel.replace("{count}", props.count)});
          var zoomIn = function () {
            var b = props.bbox;
            var zoom = map.getZoom();
            if (b && b.length === 4 && (b[2] - b[0] > 1e-6 || b[3] - b[1] > 1e-6)) {
              map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: Math.max(zoom + 1, 1)});
              if (map.getZoom() <= zoom) { map.setView(where, Math.min(zoom + 2, MAX_ZOOM)); }
            } else {
              map.setView(where, Math.min(zoom + 3, MAX_ZOOM));
            }
          };
          marker.on("click", zoomIn);
          marker.on("keypress", function (e) {  // Leaflet opens popups with Enter, not clusters
            var key = e.originalEvent && e.originalEvent.key;
            if (key === "Enter" || key === " ") { zoomIn(); }
          });
          marker.addTo(layer);
        } else {
          L.marker(where, {icon: eventIcon(), keyboard: true, title: props.title})
            .bindPopup(popupContent(props))
            .addTo(layer);
        }
      });
      section.setAttribute("data-loaded", String(Date.now()));
      if (status && statusText && typeof data.total === "number") {
        status.textContent = statusText.replace("{count}", data.total.toLocaleString(document.documentElement.lang || undefined));
      }
    }

    function refresh() {
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var params = listQuery(section);
      params.set("bbox", bboxParam(map));
      params.set("zoom", String(map.getZoom()));
      if (!params.has("lang") && document.documentElement.lang) { params.set("lang", document.documentElement.lang); }
      section.setAttribute("data-loading", "1");
      window.fetch(api + "?" + params.toString(), {
        headers: {"Accept": "application/geo+json, application/json"},
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("map API " + response.status); }
        return response.json();
      }).then(function (data) {
        section.removeAttribute("data-loading");
        draw(data);
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        section.removeAttribute("data-loading");
      });
    }

    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    }

    map.on("moveend zoomend", soon);
    var near = numbers(new URLSearchParams(window.location.search).get("near"));
    if (near.length === 2 && Math.abs(near[0]) <= 90 && Math.abs(near[1]) <= 180) {
      map.setView([near[0], near[1]], 10);
    } else {
      fitBox(map, numbers(section.getAttribute("data-bbox")));
    }
    section.eventMap = map;  // for tests and for other scripts of the page
  }

  function pickMap(section) {
    var latInput = document.querySelector(section.getAttribute("data-lat-input"));
    var lonInput = document.querySelector(section.getAttribute("data-lon-input"));
    if (!latInput || !lonInput) { return; }
    var map = baseMap(section);
    var label = section.getAttribute("data-label-event") || "";
    var pin = null;

    function current() {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      return isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
    }

    function fill(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(6);
      latInput.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function place(where) {
      if (pin) { pin.setLatLng(where); return; }
      pin = L.marker(where, {draggable: true, keyboard: true, title: label, alt: label}).addTo(map);
      pin.on("dragend", function () { fill(pin.getLatLng()); });
    }

    map.on("click", function (e) { place(e.latlng); fill(e.latlng); });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("input", function () {
        var where = current();
        if (where) { place(where); map.panTo(where); }
      });
    });
    var start = current();
    if (start) { place(start); map.setView(start, 14); }
    else { fitBox(map, numbers(section.getAttribute("data-bbox"))); }
    section.eventMap = map;
  }

  function showMap(section) {
    var where = numbers(section.getAttribute("data-lat") + "," + section.getAttribute("data-lon"));
    if (where.length !== 2) { return; }
    var map = baseMap(section);
    var label = section.getAttribute("data-label-event") || "";
    L.marker(where, {keyboard: false, title: label, alt: label}).addTo(map);
    map.setView(where, 14);
    section.eventMap = map;
  }

  var kinds = {list: listMap, pick: pickMap, show: showMap};
  document.querySelectorAll("[data-event-map]").forEach(function (section) {
    var build = kinds[section.getAttribute("data-event-map")];
    if (build && section.getAttribute("data-tiles")) { build(section); }
  });

  /* "Use my location": asks the browser for the position only when clicked, fills the `near`
     field and submits the list's form. */
  document.querySelectorAll("button[data-locate]").forEach(function (button) {
    if (!navigator.geolocation) { return; }
    var form = button.form;
    var near = form && form.querySelector(button.getAttribute("data-locate"));
    var message = document.querySelector(button.getAttribute("data-message"));
    if (!near) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      if (message) { message.textContent = button.getAttribute("data-asking") || ""; }
      navigator.geolocation.getCurrentPosition(function (position) {
        near.value = position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4);
        var within = form.querySelector("[name=within]");
        if (within && !within.value) { within.value = within.getAttribute("data-default") || "25"; }
        form.submit();
      }, function () {
        button.disabled = false;
        if (message) { message.textContent = button.getAttribute("data-failed") || ""; }
      }, {enableHighAccuracy: false, timeout: 15000, maximumAge: 600000});
    });
  });
})();
