package io.tally.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Beatport's chart pages for the chart scraper's real source ({@code tally.scraper.source=beatport}, base URL
 * {@link #baseUrl()}): a JDK HTTP server on 127.0.0.1 that answers {@code /genre/<slug>/<id>/top-100} with a Next.js
 * page whose {@code <script id="__NEXT_DATA__">} holds the chart at
 * {@code props.pageProps.dehydratedState.queries[0].state.data.results} (shared/notes/beatport-page.md), so each job
 * gets its own chart. An unknown path is a 404, which the scraper does not retry: a job asking for a chart the test
 * did not serve fails visibly.
 * Known gap: only the fields the scraper reads are filled (name, mix_name, artists[].name, id, bpm, genre, label).
 */
final class BeatportStub implements AutoCloseable {

    /** One chart entry as the page lists it. */
    record Track(List<String> artists, String title, String mix) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, byte[]> pages = new ConcurrentHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger trackIds = new AtomicInteger(23_000_000);

    BeatportStub() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.start();
    }

    /** The site root to give the scraper as {@code tally.scraper.beatport.base-url}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves {@code tracks}, in chart order, at {@code path} from now on. */
    void serve(String path, List<Track> tracks) {
        pages.put(path, page(tracks).getBytes(StandardCharsets.UTF_8));
    }

    /** Chart pages served so far (a redelivered scrape task fetches again). */
    int fetches() {
        return fetches.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] page = pages.get(exchange.getRequestURI().getPath());
            if (page == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        }
    }

    private String page(List<Track> tracks) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (Track track : tracks) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", trackIds.incrementAndGet());
            entry.put("name", track.title());
            entry.put("mix_name", track.mix());
            entry.put("artists", track.artists().stream().map(name -> Map.of("name", name)).toList());
            entry.put("bpm", 128);
            entry.put("genre", Map.of("id", 5, "name", "House", "slug", "house"));
            entry.put("release", Map.of("name", track.title(), "label", Map.of("name", "Fault Records")));
            results.add(entry);
        }
        Map<String, Object> query = Map.of("state", Map.of("data", Map.of("count", results.size(), "page", "1",
                "per_page", 100, "results", results), "status", "success"), "queryKey", List.of("top-100-tracks"));
        Map<String, Object> data = Map.of("props", Map.of("pageProps", Map.of("dehydratedState",
                Map.of("mutations", List.of(), "queries", List.of(query)))), "page", "/genre/[slug]/[id]/top-100");
        try {
            return "<!DOCTYPE html><html><head><title>Beatport | Top 100</title></head><body><div id=\"__next\"></div>"
                    + "<script id=\"__NEXT_DATA__\" type=\"application/json\">" + JSON.writeValueAsString(data)
                    + "</script></body></html>";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
