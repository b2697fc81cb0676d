package dev.streamfold.query.aggregates;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.query.QueryProperties;
import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.servlet.MockMvc;

/** The REST contract of the window queries and their validation; the interactive-query reader is a test double. */
@WebMvcTest(AggregatesController.class)
@Import(AggregatesControllerTest.SliceBeans.class)
class AggregatesControllerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T11:00:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final String URL = "/api/v1/aggregates/{dimension}/{value}";
    private static final AggregateStream CATEGORY = AggregateStream.live(Dimension.CATEGORY);
    private static final AggregateStream TOTAL = AggregateStream.live(Dimension.TOTAL);

    @Autowired
    private MockMvc mvc;

    @MockitoBean
    private WindowsReader reader;

    /**
     * What the web slice does not scan: a fixed clock, the settings bound from application.yml, and what is served:
     * category, total and customer in one-minute windows with a minute of grace, total also in five-minute hopping
     * windows.
     */
    @TestConfiguration
    @EnableConfigurationProperties(QueryProperties.class)
    static class SliceBeans {
        @Bean
        Clock clock() {
            return Clock.fixed(NOW, ZoneOffset.UTC);
        }

        @Bean
        ServedAggregates servedAggregates() {
            return new ServedAggregates(List.of(Dimension.CATEGORY, Dimension.TOTAL, Dimension.CUSTOMER),
                    List.of(Dimension.TOTAL), true,
                    WindowSpec.tumbling(MINUTE), WindowSpec.hopping(Duration.ofMinutes(5), MINUTE), MINUTE);
        }
    }

    @Test
    void shouldAnswerTheWindowsOfTheRangeInTheDocumentedShapeWithTheirLifecycleStates() throws Exception {
        // Given, at 11:00 with a minute of grace, a books window closed at 11:00 exactly (ended 10:59),
        // one in grace (ended 11:00) and one open (ends 11:01); the first with every figure, the others bare
        Instant from = Instant.parse("2026-11-21T10:58:00Z");
        Instant to = Instant.parse("2026-11-21T11:01:00Z");
        given(reader.windows(CATEGORY, "books", new TimeRange(from, to))).willReturn(List.of(
                WindowAggregate.newBuilder()
                        .setDimension("category").setDimensionValue("books")
                        .setWindowStart(from).setWindowEnd(Instant.parse("2026-11-21T10:59:00Z"))
                        .setOrderCount(3).setRevenueMinor(Map.of("EUR", 4500L, "USD", 199L)).setQuantity(5)
                        .setMinOrderMinor(Map.of("EUR", 1000L, "USD", 199L))
                        .setMaxOrderMinor(Map.of("EUR", 2000L, "USD", 199L))
                        .setDistinctCustomers(DistinctEstimate.newBuilder()
                                .setEstimate(2).setLowerBound(2).setUpperBound(3).build())
                        .setOrderValueQuantiles(Map.of("EUR", ValueQuantiles.newBuilder()
                                .setP50(1500).setP95(2000).setP99(2000).setRankError(0.0133).setOrderCount(2).build()))
                        .build(),
                bare("books", Instant.parse("2026-11-21T10:59:00Z"), 1),
                bare("books", Instant.parse("2026-11-21T11:00:00Z"), 2)));

        // When it is queried
        // Then the body has exactly the contract's fields, instants as ISO-8601 and money as integer minor units
        mvc.perform(get(URL, "category", "books").param("from", "2026-11-21T10:58:00Z").param("to", "2026-11-21T11:01:00Z"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(content().json("""
                        {"dimension":"category","value":"books","windowKind":"tumbling",
                         "from":"2026-11-21T10:58:00Z","to":"2026-11-21T11:01:00Z","asOf":"2026-11-21T11:00:00Z",
                         "windows":[
                           {"windowStart":"2026-11-21T10:58:00Z","windowEnd":"2026-11-21T10:59:00Z","state":"CLOSED",
                            "orderCount":3,"revenueMinor":{"EUR":4500,"USD":199},"quantity":5,
                            "minOrderMinor":{"EUR":1000,"USD":199},"maxOrderMinor":{"EUR":2000,"USD":199},
                            "distinctCustomers":{"estimate":2,"lowerBound":2,"upperBound":3},
                            "orderValueQuantiles":{"EUR":{"p50":1500,"p95":2000,"p99":2000,"rankError":0.0133,"orderCount":2}}},
                           {"windowStart":"2026-11-21T10:59:00Z","windowEnd":"2026-11-21T11:00:00Z","state":"IN_GRACE",
                            "orderCount":1,"revenueMinor":{"EUR":100},"quantity":0,"minOrderMinor":{},"maxOrderMinor":{},
                            "distinctCustomers":null,"orderValueQuantiles":{}},
                           {"windowStart":"2026-11-21T11:00:00Z","windowEnd":"2026-11-21T11:01:00Z","state":"OPEN",
                            "orderCount":2,"revenueMinor":{"EUR":100},"quantity":0,"minOrderMinor":{},"maxOrderMinor":{},
                            "distinctCustomers":null,"orderValueQuantiles":{}}]}
                        """, JsonCompareMode.STRICT));
    }

    @Test
    void shouldServeASecondDimensionFromItsOwnStore() throws Exception {
        // Given the store of the totals holds one window
        Instant start = Instant.parse("2026-11-21T10:00:00Z");
        given(reader.windows(any(), any(), any())).willReturn(List.of());
        given(reader.windows(TOTAL, Dimension.TOTAL_VALUE, new TimeRange(start, NOW)))
                .willReturn(List.of(bare(Dimension.TOTAL_VALUE, start, 9)));

        // When the totals are queried
        mvc.perform(get(URL, "total", "all").param("from", "2026-11-21T10:00:00Z"))
                // Then the answer is the total's, from the total's tumbling store
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.dimension").value("total"))
                .andExpect(jsonPath("$.value").value("all"))
                .andExpect(jsonPath("$.windowKind").value("tumbling"))
                .andExpect(jsonPath("$.windows[0].orderCount").value(9))
                .andExpect(jsonPath("$.windows[0].state").value("CLOSED"));
    }

    @Test
    void shouldReadTheHoppingWindowsWhenAskedFor() throws Exception {
        // Given the total's hopping store holds a five-minute window still open at 11:00
        Instant start = Instant.parse("2026-11-21T10:57:00Z");
        given(reader.windows(any(), any(), any())).willReturn(List.of());
        given(reader.windows(ServedAggregates.liveHopping(Dimension.TOTAL), Dimension.TOTAL_VALUE,
                new TimeRange(Instant.parse("2026-11-21T10:00:00Z"), NOW)))
                .willReturn(List.of(WindowAggregate.newBuilder(bare(Dimension.TOTAL_VALUE, start, 4))
                        .setWindowEnd(start.plus(Duration.ofMinutes(5))).build()));

        // When the hopping windows are asked for
        mvc.perform(get(URL, "total", "all").param("windows", "hopping"))
                // Then they come from the hopping store, and say so
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.windowKind").value("hopping"))
                .andExpect(jsonPath("$.windows[0].windowEnd").value("2026-11-21T11:02:00Z"))
                .andExpect(jsonPath("$.windows[0].state").value("OPEN"))
                .andExpect(jsonPath("$.windows[0].orderCount").value(4));
    }

    @Test
    void shouldDefaultToTheLastHourOfTumblingWindowsWhenNothingElseIsAsked() throws Exception {
        // Given an empty store
        given(reader.windows(any(), any(), any())).willReturn(List.of());

        // When queried on the category path without a range or a kind of windows
        mvc.perform(get("/api/v1/aggregates/category/{category}", "books"))
                // Then the range is the hour up to now, in the tumbling windows
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.from").value("2026-11-21T10:00:00Z"))
                .andExpect(jsonPath("$.to").value("2026-11-21T11:00:00Z"))
                .andExpect(jsonPath("$.windowKind").value("tumbling"))
                .andExpect(jsonPath("$.windows").isEmpty());
        verify(reader).windows(CATEGORY, "books", new TimeRange(Instant.parse("2026-11-21T10:00:00Z"), NOW));
    }

    @ParameterizedTest(name = "{0} {1} ?{2}={3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            planet   | earth | windows | tumbling             | Unknown dimension 'planet'; known: category, country, customer, total
            country  | DE    | windows | tumbling             | the dimension country is not aggregated here; configured (streamfold.aggregates.dimensions): category, total, customer
            category | books | windows | hopping              | the dimension category has no hopping windows; dimensions with hopping windows (streamfold.aggregates.hopping-dimensions): total
            category | books | windows | sliding              | 'windows' must be tumbling or hopping, not 'sliding'
            total    | books | windows | tumbling             | the dimension total has the single value 'all', not 'books'
            category | " "   | windows | tumbling             | category must not be blank
            category | books | from    | yesterday            | 'from' must be an ISO-8601 instant
            category | books | from    | 2026-11-21T11:00:00Z | must be before 'to'
            customer | alice | windows | tumbling             | customer must be a positive decimal customer id, not 'alice'
            customer | 0     | windows | tumbling             | customer must be a positive decimal customer id, not '0'
            category | books | from    | 2026-11-01T00:00:00Z | is longer than the maximum of PT168H
            """)
    void shouldRejectAQueryItCannotAnswerWithAProblemDetailSayingWhy(String dimension, String value, String parameter,
            String parameterValue, String reason) throws Exception {
        // When the query names an unknown or unconfigured dimension or kind of windows, a value the dimension cannot
        // have, or a bad range
        mvc.perform(get(URL, dimension, value).param(parameter, parameterValue))
                // Then a 400 problem detail says why, and no store is read
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.title").value("Invalid aggregate query"))
                .andExpect(jsonPath("$.detail").value(containsString(reason)));
        verifyNoInteractions(reader);
    }

    @Test
    void shouldLookACustomerUpByItsIdAsTheTopicsKeyIt() throws Exception {
        // Given an empty store
        given(reader.windows(any(), any(), any())).willReturn(List.of());

        // When a customer's windows are asked for with leading zeros
        mvc.perform(get(URL, "customer", "007"))
                // Then the store is read, and the answer given, for the id in decimal as aggregation keys it
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.dimension").value("customer"))
                .andExpect(jsonPath("$.value").value("7"));
        verify(reader).windows(AggregateStream.live(Dimension.CUSTOMER), "7",
                new TimeRange(Instant.parse("2026-11-21T10:00:00Z"), NOW));
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileTheStoreIsNotQueryable() throws Exception {
        // Given Kafka Streams is still rebalancing
        given(reader.windows(any(), any(), any())).willThrow(new StoreUnavailableException("rebalancing"));

        // When queried
        mvc.perform(get(URL, "category", "books"))
                // Then the caller is told to come back later
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(503));
    }

    private static WindowAggregate bare(String value, Instant start, long orders) {
        return WindowAggregate.newBuilder()
                .setDimension(value.equals(Dimension.TOTAL_VALUE) ? "total" : "category").setDimensionValue(value)
                .setWindowStart(start).setWindowEnd(start.plus(MINUTE))
                .setOrderCount(orders).setRevenueMinor(Map.of("EUR", 100L))
                .build();
    }
}
