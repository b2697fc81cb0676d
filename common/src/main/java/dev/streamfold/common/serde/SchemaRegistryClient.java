package dev.streamfold.common.serde;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client of the Confluent-compatible schema registry API (Apicurio's {@code /apis/ccompat/v7}, or a
 * Confluent Schema Registry): writer schemas by id and ids by (subject, schema), each fetched once and then cached
 * for the life of the process (a schema id never changes meaning).
 *
 * <p>Errors are split by who can fix them. An id the registry does not know, or a schema it refuses, is a fault of
 * the record ({@link PoisonRecordException}). A registry that does not answer, answers 5xx or times out is a fault of
 * the moment ({@link RegistryUnavailableException}, retriable): after a few short retries here the caller retries
 * the whole record later, and nothing is dead-lettered for it.
 */
public final class SchemaRegistryClient implements SchemaRegistry {

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String APICURIO_CORE_API = "/apis/registry/v3";
    private static final String APICURIO_CCOMPAT_API = "/apis/ccompat/v7";
    /** Jackson 2, which Avro brings anyway. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final Retry retry;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

    /**
     * @param url the registry's Confluent-compatible API; Apicurio's core API URL ({@code …/apis/registry/v3}) is
     *            accepted too and mapped to the same registry's {@code …/apis/ccompat/v7}
     */
    public SchemaRegistryClient(String url, Retry retry) {
        this.baseUrl = URI.create(ccompatUrl(url));
        this.retry = retry;
        this.http = HttpClient.newBuilder().connectTimeout(retry.requestTimeout()).build();
    }

    static String ccompatUrl(String url) {
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return trimmed.endsWith(APICURIO_CORE_API)
                ? trimmed.substring(0, trimmed.length() - APICURIO_CORE_API.length()) + APICURIO_CCOMPAT_API
                : trimmed;
    }

    /** The writer schema of records framed with {@code id}. */
    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Response response = send(HttpRequest.newBuilder(baseUrl.resolve(baseUrl.getPath() + "/schemas/ids/" + id)).GET(),
                "fetching schema id " + id);
        if (response.status() == 404) {
            throw new PoisonRecordException("schema id " + id + " not found in the registry");
        }
        requireSuccess(response, "fetching schema id " + id);
        Schema schema = parse(id, field(json(response.body(), "schema id " + id), "schema", "schema id " + id));
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    /** Registers {@code schema} under {@code subject} (or finds it, if it is there already) and returns its id. */
    @Override
    public int idOf(String subject, Schema schema) {
        String key = subject + '\0' + schema;
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
        URI uri = baseUrl.resolve(baseUrl.getPath() + "/subjects/" + URLEncoder.encode(subject, UTF_8) + "/versions");
        Response response = send(HttpRequest.newBuilder(uri).header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)), "registering " + schema.getName() + " under " + subject);
        if (response.status() == 409 || response.status() == 422) {
            throw new PoisonRecordException("the registry refuses schema " + schema.getFullName() + " under subject "
                    + subject + " (HTTP " + response.status() + "): " + response.body());
        }
        requireSuccess(response, "registering " + schema.getName() + " under " + subject);
        int id = Integer.parseInt(field(json(response.body(), subject), "id", "registration of " + subject));
        idsBySubjectAndSchema.putIfAbsent(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    private Response send(HttpRequest.Builder request, String what) {
        HttpRequest built = request.timeout(retry.requestTimeout()).build();
        RegistryUnavailableException last = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            try {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500) {
                    return new Response(response.statusCode(), response.body());
                }
                last = new RegistryUnavailableException("the schema registry answered HTTP " + response.statusCode()
                        + " while " + what + ": " + response.body());
            } catch (IOException e) {
                last = new RegistryUnavailableException("the schema registry at " + baseUrl + " is unreachable while "
                        + what + " (" + e + ")", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while " + what, e);
            }
            if (attempt < retry.attempts()) {
                log.warn("{}; retrying in {} (attempt {} of {})", last.getMessage(), retry.backoff(attempt), attempt, retry.attempts());
                pause(retry.backoff(attempt));
            }
        }
        throw last;
    }

    private static void requireSuccess(Response response, String what) {
        if (response.status() / 100 != 2) {
            throw new PoisonRecordException("the schema registry answered HTTP " + response.status() + " while " + what
                    + ": " + response.body());
        }
    }

    private static Schema parse(int id, String text) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new PoisonRecordException("schema id " + id + " is not an Avro schema: " + e.getMessage(), e);
        }
    }

    private static JsonNode json(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RegistryUnavailableException("unexpected answer of the schema registry for " + what + ": " + body, e);
        }
    }

    private static String field(JsonNode node, String name, String what) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new RegistryUnavailableException("the schema registry's answer for " + what + " has no '" + name + "': " + node);
        }
        return value.asText();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while waiting to retry", e);
        }
    }

    private record Response(int status, String body) {
    }

    /**
     * How hard one call tries before giving up with {@link RegistryUnavailableException}. Kept short: the caller
     * (a Kafka Streams thread inside a transaction) retries the record again later, and must not block for long.
     *
     * @param attempts       calls per lookup, at least 1
     * @param firstBackoff   pause after the first failure, doubled after each further one
     * @param requestTimeout connect and request timeout of one call
     */
    public record Retry(int attempts, Duration firstBackoff, Duration requestTimeout) {

        public static final Retry DEFAULT = new Retry(4, Duration.ofMillis(250), Duration.ofSeconds(2));

        public Retry {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
            }
        }

        Duration backoff(int failedAttempt) {
            return firstBackoff.multipliedBy(1L << Math.min(failedAttempt - 1, 10));
        }
    }
}
