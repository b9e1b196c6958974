// sqlite: SQLite itself (the amalgamation that the npm package better-sqlite3 ships, fetched by
// bench/real_programs.py) driven by a fixed SQL workload on an in-memory database.
//
// Three tables (customers, products, orders) filled from the fixed-seed Rng with prepared
// INSERTs in transactions of 1000 rows; then indexes, joins with GROUP BY and ORDER BY, point
// lookups through a prepared statement, LIKE and group_concat queries, UPDATEs that grow text
// values, DELETEs (one with NOT EXISTS), and the reports again. SQLite allocates through the C
// library's malloc/realloc/free (its default memory allocator), so every allocator sees the
// same requests; lookaside and the page cache keep SQLite's defaults.
//
// RESULT: milliseconds for the whole workload (lower is better), after an untimed warm-up on a
//         tenth of it.
// CHECK:  FNV-1a digest of every value every query returned, and of the row counts.
// MEMORY: the wasm memory's size at the end (it never shrinks: the peak), in bytes.
#include "real_program.hpp"
#include "sqlite3.h"

#include <string>

namespace {

Digest digest;

[[noreturn]] void fail(sqlite3* db, const char* what) {
  std::printf("SQLITE ERROR in %s: %s\n", what, db ? sqlite3_errmsg(db) : "no database");
  std::fflush(stdout);
  // SQLITE_NOMEM is the allocator saying no: reported like every other out-of-memory.
  if (db != nullptr && sqlite3_errcode(db) == SQLITE_NOMEM) out_of_memory(what);
  std::exit(4);
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  auto callback = [](void*, int columns, char** values, char**) {
    for (int i = 0; i < columns; ++i) digest.mix_text(values[i]);
    return 0;
  };
  if (sqlite3_exec(db, sql, callback, nullptr, &error) != SQLITE_OK) {
    std::printf("SQLITE ERROR: %s\nin: %s\n", error ? error : "?", sql);
    sqlite3_free(error);
    fail(db, "exec");
  }
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) fail(db, sql);
  return statement;
}

void step_done(sqlite3* db, sqlite3_stmt* statement) {
  if (sqlite3_step(statement) != SQLITE_DONE) fail(db, "step");
  sqlite3_reset(statement);
}

// A pronounceable word of 2..max_syllables syllables (names, cities, titles).
std::string word(Rng& rng, std::uint32_t max_syllables) {
  static const char* const kSyllables[] = {"ka", "lo", "mi", "re", "sun", "ta", "vo", "ber",
                                           "dan", "el", "fi", "gor", "ha", "is", "jo", "ku"};
  std::string text;
  std::uint32_t count = rng.range(2, max_syllables);
  for (std::uint32_t i = 0; i < count; ++i) text += kSyllables[rng.next32() % 16];
  return text;
}

struct Sizes {
  std::uint32_t customers, products, orders, lookups;
};

void fill(sqlite3* db, Rng& rng, const Sizes& sizes) {
  exec(db,
       "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL,"
       " joined INTEGER NOT NULL);"
       "CREATE TABLE products(id INTEGER PRIMARY KEY, title TEXT NOT NULL, category TEXT NOT NULL,"
       " cents INTEGER NOT NULL);"
       "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL,"
       " product INTEGER NOT NULL, quantity INTEGER NOT NULL, note TEXT);");
  std::string cities[64];
  for (std::string& city : cities) city = word(rng, 4);
  static const char* const kCategories[] = {"tools", "books", "garden", "toys", "food",
                                            "music", "office", "sport"};

  sqlite3_stmt* customer = prepare(db, "INSERT INTO customers VALUES(?1, ?2, ?3, ?4)");
  sqlite3_stmt* product = prepare(db, "INSERT INTO products VALUES(?1, ?2, ?3, ?4)");
  sqlite3_stmt* order = prepare(db, "INSERT INTO orders VALUES(NULL, ?1, ?2, ?3, ?4)");
  exec(db, "BEGIN");
  for (std::uint32_t id = 1; id <= sizes.customers; ++id) {
    std::string name = word(rng, 3) + " " + word(rng, 5);
    sqlite3_bind_int(customer, 1, static_cast<int>(id));
    sqlite3_bind_text(customer, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(customer, 3, cities[rng.next32() % 64].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int(customer, 4, static_cast<int>(rng.range(2000, 2025)));
    step_done(db, customer);
  }
  for (std::uint32_t id = 1; id <= sizes.products; ++id) {
    std::string title = word(rng, 6);
    sqlite3_bind_int(product, 1, static_cast<int>(id));
    sqlite3_bind_text(product, 2, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(product, 3, kCategories[rng.next32() % 8], -1, SQLITE_STATIC);
    sqlite3_bind_int(product, 4, static_cast<int>(rng.range(99, 99999)));
    step_done(db, product);
  }
  exec(db, "COMMIT");
  for (std::uint32_t i = 0; i < sizes.orders; ++i) {
    if (i % 1000 == 0) exec(db, "BEGIN");
    sqlite3_bind_int(order, 1, static_cast<int>(rng.range(1, sizes.customers)));
    sqlite3_bind_int(order, 2, static_cast<int>(rng.range(1, sizes.products)));
    sqlite3_bind_int(order, 3, static_cast<int>(rng.range(1, 20)));
    if (rng.next32() % 4 == 0) {
      std::string note = word(rng, 8);
      for (std::uint32_t extra = rng.next32() % 4; extra > 0; --extra) note += " " + word(rng, 6);
      sqlite3_bind_text(order, 4, note.c_str(), -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(order, 4);
    }
    step_done(db, order);
    if (i % 1000 == 999 || i + 1 == sizes.orders) exec(db, "COMMIT");
  }
  sqlite3_finalize(customer);
  sqlite3_finalize(product);
  sqlite3_finalize(order);
}

void reports(sqlite3* db) {
  exec(db,
       "SELECT c.city, COUNT(*), SUM(o.quantity * p.cents) FROM orders o"
       " JOIN customers c ON c.id = o.customer JOIN products p ON p.id = o.product"
       " GROUP BY c.city ORDER BY 3 DESC, 1;");
  exec(db,
       "SELECT p.category, COUNT(DISTINCT o.customer), SUM(o.quantity), MAX(p.cents)"
       " FROM orders o JOIN products p ON p.id = o.product GROUP BY p.category ORDER BY 1;");
  exec(db,
       "SELECT c.joined, COUNT(*), AVG(o.quantity) FROM customers c"
       " JOIN orders o ON o.customer = c.id GROUP BY c.joined ORDER BY c.joined;");
  exec(db,
       "SELECT p.title, SUM(o.quantity) AS sold FROM orders o JOIN products p ON p.id = o.product"
       " GROUP BY p.id ORDER BY sold DESC, p.id LIMIT 25;");
  exec(db, "SELECT COUNT(*), SUM(LENGTH(note)) FROM orders WHERE note IS NOT NULL;");
}

void lookups(sqlite3* db, Rng& rng, const Sizes& sizes) {
  sqlite3_stmt* query = prepare(db,
                                "SELECT c.name, p.title, o.quantity FROM orders o"
                                " JOIN customers c ON c.id = o.customer"
                                " JOIN products p ON p.id = o.product"
                                " WHERE o.customer = ?1 ORDER BY o.id");
  std::uint64_t rows = 0;
  for (std::uint32_t i = 0; i < sizes.lookups; ++i) {
    sqlite3_bind_int(query, 1, static_cast<int>(rng.range(1, sizes.customers)));
    int status;
    while ((status = sqlite3_step(query)) == SQLITE_ROW) {
      ++rows;
      digest.mix_text(reinterpret_cast<const char*>(sqlite3_column_text(query, 0)));
      digest.mix_text(reinterpret_cast<const char*>(sqlite3_column_text(query, 1)));
      int quantity = sqlite3_column_int(query, 2);
      digest.mix_value(quantity);
    }
    if (status != SQLITE_DONE) fail(db, "lookup");
    sqlite3_reset(query);
  }
  sqlite3_finalize(query);
  digest.mix_value(rows);
}

void workload(const Sizes& sizes) {
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) fail(db, "open");
  Rng rng(0x5EED0010);
  fill(db, rng, sizes);
  exec(db,
       "CREATE INDEX orders_customer ON orders(customer);"
       "CREATE INDEX orders_product ON orders(product, quantity);"
       "CREATE INDEX customers_city ON customers(city, name);");
  reports(db);
  lookups(db, rng, sizes);
  exec(db, "SELECT name FROM customers WHERE name LIKE 'ka%' ORDER BY name LIMIT 200;");
  exec(db,
       "SELECT city, group_concat(name, ',') FROM (SELECT city, name FROM customers"
       " WHERE id % 50 = 0 ORDER BY city, name) GROUP BY city;");
  exec(db, "BEGIN;"
           "UPDATE orders SET quantity = quantity + 1, note = COALESCE(note, '') || ' restocked'"
           " WHERE product % 7 = 0;"
           "UPDATE customers SET name = name || ' (' || city || ')' WHERE id % 3 = 0;"
           "COMMIT;");
  exec(db, "BEGIN;"
           "DELETE FROM orders WHERE quantity > 17;"
           "DELETE FROM customers WHERE NOT EXISTS"
           " (SELECT 1 FROM orders WHERE orders.customer = customers.id);"
           "DELETE FROM orders WHERE note LIKE '%restocked' AND id % 2 = 0;"
           "COMMIT;");
  reports(db);
  exec(db, "SELECT COUNT(*) FROM customers; SELECT COUNT(*) FROM orders;");
  exec(db, "DROP INDEX orders_product; DROP TABLE orders;");
  exec(db, "SELECT COUNT(*), SUM(LENGTH(name)) FROM customers;");
  if (sqlite3_close(db) != SQLITE_OK) fail(nullptr, "close");
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  // Full runs insert 10^5 orders; quick runs a smaller database.
  Sizes sizes = full ? Sizes{10000, 2000, 100000, 20000} : Sizes{2000, 500, 10000, 1000};
  // Warm-up on a tenth of the work, untimed: Node compiles SQLite's functions when they are
  // first called, and that would otherwise be most of a quick run's time.
  workload(Sizes{sizes.customers / 10, sizes.products / 10, sizes.orders / 10,
                 sizes.lookups / 10});
  double start = now_us();
  workload(sizes);
  double elapsed = now_us() - start;
  print_real_result(elapsed / 1000.0, digest);
  return 0;
}
