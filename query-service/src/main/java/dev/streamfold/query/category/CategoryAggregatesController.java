package dev.streamfold.query.category;

import dev.streamfold.query.QueryProperties;
import java.time.Clock;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/aggregates/category/{category}?from=&to=}: a category's windows starting in [from, to). */
@RestController
@RequestMapping("/api/v1/aggregates/category")
class CategoryAggregatesController {

    private final CategoryWindowsReader reader;
    private final QueryProperties properties;
    private final Clock clock;

    CategoryAggregatesController(CategoryWindowsReader reader, QueryProperties properties, Clock clock) {
        this.reader = reader;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/{category}")
    CategoryWindowsResponse windows(@PathVariable String category,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        if (category.isBlank()) {
            throw new InvalidQueryException("category must not be blank");
        }
        TimeRange range = TimeRange.parse(from, to, clock.instant(), properties.maxRange());
        return CategoryWindowsResponse.of(category, range, reader.windows(category, range));
    }
}
