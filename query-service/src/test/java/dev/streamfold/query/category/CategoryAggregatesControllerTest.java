package dev.streamfold.query.category;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.streamfold.query.QueryProperties;
import dev.streamfold.schemas.WindowAggregate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
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

/** The REST contract and its validation; the interactive-query reader is a test double here. */
@WebMvcTest(CategoryAggregatesController.class)
@Import(CategoryAggregatesControllerTest.SliceBeans.class)
class CategoryAggregatesControllerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T11:00:00Z");
    private static final String URL = "/api/v1/aggregates/category/{category}";

    @Autowired
    private MockMvc mvc;

    @MockitoBean
    private CategoryWindowsReader reader;

    /** What the web slice does not scan: a fixed clock, and the settings bound from application.yml. */
    @TestConfiguration
    @EnableConfigurationProperties(QueryProperties.class)
    static class SliceBeans {
        @Bean
        Clock clock() {
            return Clock.fixed(NOW, ZoneOffset.UTC);
        }
    }

    @Test
    void shouldAnswerTheWindowsOfTheRangeInTheDocumentedShape() throws Exception {
        // Given the store holds one books window in the range
        Instant from = Instant.parse("2026-11-21T10:00:00Z");
        Instant to = Instant.parse("2026-11-21T10:05:00Z");
        given(reader.windows("books", new TimeRange(from, to))).willReturn(List.of(WindowAggregate.newBuilder()
                .setDimension("category").setDimensionValue("books")
                .setWindowStart(from).setWindowEnd(Instant.parse("2026-11-21T10:01:00Z"))
                .setOrderCount(3).setRevenueMinor(Map.of("EUR", 4500L, "USD", 199L))
                .build()));

        // When it is queried
        // Then the body has exactly the contract's fields, instants as ISO-8601 and money as integer minor units
        mvc.perform(get(URL, "books").param("from", "2026-11-21T10:00:00Z").param("to", "2026-11-21T10:05:00Z"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(content().json("""
                        {"dimension":"category","value":"books",
                         "from":"2026-11-21T10:00:00Z","to":"2026-11-21T10:05:00Z",
                         "windows":[{"windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T10:01:00Z",
                                     "orderCount":3,"revenueMinor":{"EUR":4500,"USD":199}}]}
                        """, JsonCompareMode.STRICT));
    }

    @Test
    void shouldDefaultToTheLastHourWhenNoRangeIsGiven() throws Exception {
        // Given an empty store
        given(reader.windows(anyString(), any())).willReturn(List.of());

        // When queried without from and to
        mvc.perform(get(URL, "books"))
                // Then the range is the hour up to now
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.from").value("2026-11-21T10:00:00Z"))
                .andExpect(jsonPath("$.to").value("2026-11-21T11:00:00Z"))
                .andExpect(jsonPath("$.windows").isEmpty());
        verify(reader).windows("books", new TimeRange(Instant.parse("2026-11-21T10:00:00Z"), NOW));
    }

    @Test
    void shouldRejectAnUnparsableInstant() throws Exception {
        // When 'from' is not an instant
        mvc.perform(get(URL, "books").param("from", "yesterday"))
                // Then a 400 problem detail names the parameter
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.detail").value(containsString("'from'")));
        verifyNoInteractions(reader);
    }

    @Test
    void shouldRejectFromNotBeforeTo() throws Exception {
        // When the range is empty
        mvc.perform(get(URL, "books").param("from", "2026-11-21T10:00:00Z").param("to", "2026-11-21T10:00:00Z"))
                // Then a 400 problem detail explains it
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("must be before")));
        verifyNoInteractions(reader);
    }

    @Test
    void shouldRejectARangeLongerThanTheMaximum() throws Exception {
        // When the range spans more than the default maximum of seven days
        mvc.perform(get(URL, "books").param("from", "2026-11-01T00:00:00Z").param("to", "2026-11-08T00:00:01Z"))
                // Then a 400 problem detail names the maximum
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("PT168H")));
        verifyNoInteractions(reader);
    }

    @Test
    void shouldRejectABlankCategory() throws Exception {
        // When the category is only whitespace
        mvc.perform(get(URL, " "))
                // Then a 400 problem detail says so
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("category must not be blank"));
        verifyNoInteractions(reader);
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileTheStoreIsNotQueryable() throws Exception {
        // Given Kafka Streams is still rebalancing
        given(reader.windows(anyString(), any())).willThrow(new StoreUnavailableException("rebalancing"));

        // When queried
        mvc.perform(get(URL, "books"))
                // Then the caller is told to come back later
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(503));
    }
}
