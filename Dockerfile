# One image for every process of the stack; compose picks the binary per service.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# protoc is vendored and libpq / SQLite are bundled: nothing else to install.
# The load generator (bench/) stays out of the image.
RUN cargo build --release --locked --bins --workspace --exclude cashloan-bench

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/cashloan --create-home cashloan \
    && mkdir -p /var/lib/cashloan/keys && chown cashloan /var/lib/cashloan/keys
COPY --from=build /src/target/release/cashloan-gateway \
                  /src/target/release/auth-service \
                  /src/target/release/message-service \
                  /src/target/release/product-service \
                  /src/target/release/loan-service \
                  /src/target/release/risk-service \
                  /src/target/release/cashloan-stack \
                  /src/target/release/cashloan-probe \
                  /src/target/release/cashloan-keys \
                  /usr/local/bin/
USER cashloan
WORKDIR /var/lib/cashloan
ENV RUST_LOG=info
