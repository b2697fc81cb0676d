package dev.streamfold.common.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.schemas.OrderOperation;
import org.junit.jupiter.api.Test;

class RevenueRuleTest {

    @Test
    void shouldCountAnExistingOrderInAnyStatusButCancelled() {
        assertThat(RevenueRule.counts(OrderOperation.INSERT, "PLACED")).isTrue();
        assertThat(RevenueRule.counts(OrderOperation.UPDATE, "SHIPPED")).isTrue();
        assertThat(RevenueRule.counts(OrderOperation.UPDATE, "CANCELLED")).isFalse();
    }

    @Test
    void shouldCountADeletedOrderForNothing() {
        assertThat(RevenueRule.counts(OrderOperation.DELETE, "PLACED")).isFalse();
    }

    @Test
    void shouldSayTheSameRuleInSql() {
        assertThat(RevenueRule.sqlCondition("o")).isEqualTo("o.status NOT IN ('CANCELLED')");
    }
}
