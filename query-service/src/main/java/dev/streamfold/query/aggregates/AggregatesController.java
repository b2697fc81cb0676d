package dev.streamfold.query.aggregates;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.query.QueryProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/aggregates/{dimension}/{value}?from=&to=&windows=tumbling|hopping}: the live windows of one value
 * of a dimension whose start is in [from, to), each with its lifecycle state judged by this instance's clock.
 */
@RestController
@RequestMapping("/api/v1/aggregates")
class AggregatesController {

    private final WindowsReader reader;
    private final ServedAggregates served;
    private final QueryProperties properties;
    private final Clock clock;

    AggregatesController(WindowsReader reader, ServedAggregates served, QueryProperties properties, Clock clock) {
        this.reader = reader;
        this.served = served;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/{dimension}/{value}")
    WindowsResponse windows(@PathVariable("dimension") String dimensionId, @PathVariable String value,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(defaultValue = "tumbling") String windows) {
        AggregateStream stream = stream(dimension(dimensionId), kind(windows));
        String key = value(stream.dimension(), value);
        Instant now = clock.instant();
        TimeRange range = TimeRange.parse(from, to, now, properties.maxRange());
        return WindowsResponse.of(stream, key, range, served.grace(), now, reader.windows(stream, key, range));
    }

    private static Dimension dimension(String id) {
        try {
            return Dimension.fromId(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidQueryException(e.getMessage());
        }
    }

    private static WindowKind kind(String windows) {
        return switch (windows.toLowerCase(Locale.ROOT)) {
            case "tumbling" -> WindowKind.TUMBLING;
            case "hopping" -> WindowKind.HOPPING;
            default -> throw new InvalidQueryException("'windows' must be tumbling or hopping, not '" + windows + "'");
        };
    }

    private AggregateStream stream(Dimension dimension, WindowKind kind) {
        AggregateStream stream = new AggregateStream(dimension, kind, Emission.LIVE);
        if (served.serves(stream)) {
            return stream;
        }
        if (!served.dimensions().contains(dimension)) {
            throw new InvalidQueryException("the dimension " + dimension.id() + " is not aggregated here;"
                    + " configured (streamfold.aggregates.dimensions): " + ids(served.dimensions()));
        }
        throw new InvalidQueryException("the dimension " + dimension.id() + " has no hopping windows;"
                + " dimensions with hopping windows (streamfold.aggregates.hopping-dimensions): "
                + ids(served.hoppingDimensions()));
    }

    /** The key the dimension's topics use for the value. */
    private static String value(Dimension dimension, String value) {
        if (value.isBlank()) {
            throw new InvalidQueryException(dimension.id() + " must not be blank");
        }
        return switch (dimension) {
            case TOTAL -> {
                if (!Dimension.TOTAL_VALUE.equals(value)) {
                    throw new InvalidQueryException("the dimension total has the single value '" + Dimension.TOTAL_VALUE
                            + "', not '" + value + "'");
                }
                yield value;
            }
            case CUSTOMER -> CustomerId.canonical("customer", value);
            case CATEGORY, COUNTRY -> value;
        };
    }

    private static String ids(List<Dimension> dimensions) {
        return dimensions.isEmpty() ? "none"
                : dimensions.stream().map(Dimension::id).collect(Collectors.joining(", "));
    }
}
