-- The operational database of the shop: the source of truth that ingest-service captures and
-- reconciliation-service checks against. Money is in minor units (cents), never floating point.
CREATE TABLE IF NOT EXISTS customers (
    id         BIGINT PRIMARY KEY,
    name       TEXT        NOT NULL,
    email      TEXT        NOT NULL,
    country    CHAR(2)     NOT NULL,
    tier       TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS products (
    id          BIGINT PRIMARY KEY,
    name        TEXT        NOT NULL,
    category    TEXT        NOT NULL,
    price       BIGINT      NOT NULL CHECK (price >= 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orders (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    product_id  BIGINT      NOT NULL REFERENCES products (id),
    quantity    INT         NOT NULL CHECK (quantity > 0),
    amount      BIGINT      NOT NULL CHECK (amount >= 0),
    currency    CHAR(3)     NOT NULL,
    status      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at);
