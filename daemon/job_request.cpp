#include "job_request.hpp"

#include "formats/job_input.hpp"
#include "azure/azure_submission.hpp"
#include "ionq/ionq_request.hpp"
#include "qcloud/qcloud_request.hpp"

#include <boost/json.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

namespace qjob::daemon {

namespace json = boost::json;
using boost::beast::http::status;

namespace {

constexpr std::int64_t default_shots = 1000;

const std::set<std::string_view> known_fields{"id",    "name",   "provider", "target",   "shots",
                                              "input", "params", "tags",     "priority", "input_format"};

std::string sha256_hex(std::string_view text) {
  // One fetched digest and context per thread: EVP_Digest fetches SHA-256 and
  // allocates a context on every call, which cost more than hashing a small job.
  struct digest_context {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~digest_context() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
  };
  thread_local digest_context context;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!context.md || !context.ctx || EVP_DigestInit_ex(context.ctx, context.md, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest.data(), &length) != 1)
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xf]);
  }
  return out;
}

std::int64_t micros_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

/// Reads the submission field by field; the first problem found is kept.
class request_reader {
public:
  request_reader(const json::object& body, const std::string& prefix) : body_(body), prefix_(prefix) {}

  std::optional<api_error> error;

  void fail(std::string code, std::string message, std::string field, status code_status = status::bad_request) {
    if (!error) error = api_error{code_status, std::move(code), std::move(message), prefix_ + field};
  }

  /// `limit_name` names where `max_length` comes from: a configuration key, or a fixed bound.
  std::string string_field(std::string_view key, std::string fallback, std::size_t max_length,
                           std::string_view limit_name = "a fixed bound") {
    const auto* value = body_.if_contains(key);
    if (!value || value->is_null()) return fallback;
    if (!value->is_string()) {
      fail("invalid_field", "'" + std::string(key) + "' must be a string", std::string(key));
      return fallback;
    }
    std::string text(value->get_string());
    if (text.size() > max_length)
      fail("invalid_field",
           "'" + std::string(key) + "' is longer than " + std::to_string(max_length) + " bytes (" +
               std::string(limit_name) + ")",
           std::string(key));
    return text;
  }

  /// `max_name`, when not empty, names the configuration key `max` comes from.
  std::int64_t integer_field(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max,
                             std::string_view max_name = {}) {
    const auto* value = body_.if_contains(key);
    if (!value || value->is_null()) return fallback;
    std::int64_t number = 0;
    if (value->is_int64()) {
      number = value->get_int64();
    } else if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(max)) {
      number = static_cast<std::int64_t>(value->get_uint64());
    } else if (!value->is_uint64()) {
      fail("invalid_field", "'" + std::string(key) + "' must be an integer", std::string(key));
      return fallback;
    } else {
      number = max + 1;
    }
    if (number < min || number > max)
      fail("invalid_field",
           "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " + std::to_string(max) +
               (max_name.empty() ? std::string() : " (" + std::string(max_name) + ")"),
           std::string(key));
    return number;
  }

private:
  const json::object& body_;
  const std::string& prefix_;
};

/// The text the fingerprint hashes: byte for byte what serialising the object
/// What the provider of `dialect` cannot run of `spec`, naming the field, or
/// nullopt when its translation succeeds.
std::optional<formats::input_error> provider_refusal(target_dialect dialect, const remote::job_spec& spec) {
  switch (dialect) {
    case target_dialect::ionq: {
      ionq::job_description description;
      description.job_id = spec.job_id;
      description.name = spec.name;
      description.target = spec.target;
      description.shots = spec.shots;
      description.input = spec.input;
      description.params = spec.params;
      return ionq::build_job_request(description).error;
    }
    case target_dialect::qcloud:
      return qcloud::build_submission(spec).error;
    case target_dialect::azure: {
      auto built = azure::build_submission(spec);
      if (built) return std::nullopt;
      return formats::input_error{built.error().message, "input"};
    }
    case target_dialect::embedded:
      break;
  }
  return std::nullopt;
}

/// {owner, name, provider, target, shots, input_format, input, params, tags,
/// priority} gives (stored fingerprints depend on it), built from the serialised
/// input and params instead of a copy of their DOM.
std::string fingerprint_text(const storage::job_row& row) {
  auto quoted = [](const std::string& text) { return json::serialize(json::string_view(text)); };
  std::string text;
  text.reserve(row.input.size() + row.params.size() + row.name.size() + 192);
  text += "{\"owner\":";
  text += std::to_string(row.owner);
  text += ",\"name\":";
  text += quoted(row.name);
  text += ",\"provider\":";
  text += quoted(row.provider);
  text += ",\"target\":";
  text += quoted(row.target);
  text += ",\"shots\":";
  text += std::to_string(row.shots);
  text += ",\"input_format\":";
  text += quoted(row.input_format);
  text += ",\"input\":";
  text += row.input;
  text += ",\"params\":";
  text += row.params;
  text += ",\"tags\":";
  text += json::serialize(json::array(row.tags.begin(), row.tags.end()));
  text += ",\"priority\":";
  text += std::to_string(row.priority);
  text += '}';
  return text;
}

}  // namespace

submission_rules submission_rules_for(const daemon_config& config, const target_catalog& catalog) {
  submission_rules rules;
  rules.catalog = &catalog;
  rules.max_shots = config.max_shots;
  rules.max_name_bytes = config.max_name_bytes;
  rules.max_tags = config.max_tags;
  rules.max_tag_bytes = config.max_tag_bytes;
  rules.max_params_bytes = config.max_params_bytes;
  rules.max_gates = config.max_gates;
  rules.max_circuit_depth = config.max_circuit_depth;
  rules.max_circuits_per_job = config.max_circuits_per_job;
  return rules;
}

std::size_t circuit_depth(const formats::circuit& c) {
  std::vector<std::size_t> level(c.qubits, 0);
  std::size_t depth = 0;
  for (const auto& op : c.ops) {
    std::size_t start = 0;
    auto each_qubit = [&](auto&& visit) {
      for (auto q : op.targets)
        if (q < level.size()) visit(level[q]);
      for (auto q : op.controls)
        if (q < level.size()) visit(level[q]);
    };
    each_qubit([&](std::size_t at) { start = std::max(start, at); });
    const std::size_t end = op.gate == formats::gate_kind::barrier ? start : start + 1;
    each_qubit([&](std::size_t& at) { at = end; });
    depth = std::max(depth, end);
  }
  return depth;
}

bool is_valid_job_id(std::string_view id) {
  if (id.empty() || id.size() > 128 || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

std::string make_uuid() {
  // Version 7 (RFC 9562): the Unix time in milliseconds, then 74 random bits.
  // Ids made one after another sort by time, so a million-job batch appends to
  // the right edge of the id index instead of touching a random page of it per
  // job; and a listing by id reads in submission order.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  const auto millis = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  const std::uint64_t high = (millis << 16) | 0x7000ULL | (generator() & 0x0fffULL);  // time, version, rand_a
  const std::uint64_t low = (generator() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant, rand_b
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xffff),
                static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

std::variant<storage::job_row, api_error> parse_job_request(const json::value& body, std::uint32_t owner,
                                                            const submission_rules& rules,
                                                            const std::string& field_prefix) {
  const auto* object = body.if_object();
  if (!object)
    return bad_request("invalid_job", "a job must be a JSON object", field_prefix.empty() ? "" : field_prefix);
  request_reader reader(*object, field_prefix);
  for (const auto& [key, value] : *object)
    if (!known_fields.contains(key))
      reader.fail("invalid_field", "unknown field '" + std::string(key) + "'", std::string(key));

  storage::job_row row;
  row.owner = owner;
  row.id = reader.string_field("id", "", max_id_bytes);
  if (row.id.empty() && !object->contains("id")) {
    row.id = make_uuid();
  } else if (!is_valid_job_id(row.id)) {
    reader.fail("invalid_field", "'id' must be 1 to 128 of A-Z a-z 0-9 . _ - and not start with '.'", "id");
  }
  row.name = reader.string_field("name", "", rules.max_name_bytes, "max_name_bytes");
  row.provider = reader.string_field("provider", rules.catalog->default_provider(), max_provider_name_bytes);
  row.shots = reader.integer_field("shots", default_shots, 1, rules.max_shots, "max_shots");
  row.priority = static_cast<std::int32_t>(reader.integer_field("priority", 5, 0, 9));
  auto input_format = reader.string_field("input_format", "", max_format_name_bytes);

  json::object params;
  if (const auto* value = object->if_contains("params"); value && !value->is_null()) {
    if (!value->is_object()) {
      reader.fail("invalid_field", "'params' must be an object", "params");
    } else {
      params = value->get_object();
      if (const auto size = json::serialize(params).size(); size > rules.max_params_bytes)
        reader.fail("invalid_field",
                    "'params' is " + std::to_string(size) + " bytes as JSON; the limit is " +
                        std::to_string(rules.max_params_bytes) + " (max_params_bytes)",
                    "params");
      if (const auto* seed = params.if_contains("seed"); seed && !seed->is_uint64() &&
                                                        !(seed->is_int64() && seed->get_int64() >= 0))
        reader.fail("invalid_field", "'params.seed' must be a non-negative integer", "params.seed");
    }
  }
  if (const auto* value = object->if_contains("tags"); value && !value->is_null()) {
    const auto* tags = value->if_array();
    if (!tags) {
      reader.fail("invalid_field", "'tags' must be an array of strings", "tags");
    } else if (tags->size() > rules.max_tags) {
      reader.fail("invalid_field",
                  "'tags' has " + std::to_string(tags->size()) + " tags; the limit is " +
                      std::to_string(rules.max_tags) + " (max_tags)",
                  "tags");
    } else {
      for (std::size_t i = 0; i < tags->size(); ++i) {
        const auto& tag = (*tags)[i];
        if (!tag.is_string() || tag.get_string().empty())
          reader.fail("invalid_field", "each tag must be a non-empty string", "tags[" + std::to_string(i) + "]");
        else if (tag.get_string().size() > rules.max_tag_bytes)
          reader.fail("invalid_field",
                      "tag " + std::to_string(i) + " is longer than " + std::to_string(rules.max_tag_bytes) +
                          " bytes (max_tag_bytes)",
                      "tags[" + std::to_string(i) + "]");
        else
          row.tags.emplace_back(tag.get_string());
      }
    }
  }
  if (reader.error) return *reader.error;

  const auto* provider = rules.catalog->find_provider(row.provider);
  if (!provider)
    return api_error{status::unprocessable_entity, "unknown_provider",
                     "provider '" + row.provider + "' is not configured (see GET /v1/targets)",
                     field_prefix + "provider"};
  row.target = reader.string_field("target", provider->targets.empty() ? "" : provider->targets.front().name,
                                   max_target_name_bytes);
  if (reader.error) return *reader.error;
  const auto* target = rules.catalog->find_target(*provider, row.target);
  if (!target)
    return api_error{status::unprocessable_entity, "unknown_target",
                     "provider '" + row.provider + "' has no target '" + row.target + "' (see GET /v1/targets)",
                     field_prefix + "target"};

  if (!target->unsupported.empty())
    return api_error{status::unprocessable_entity, "unsupported_target", target->unsupported,
                     field_prefix + "target"};

  const auto* input = object->if_contains("input");
  if (!input || input->is_null()) return bad_request("invalid_input", "'input' is required", field_prefix + "input");
  formats::input_limits limits;
  limits.max_qubits = target->max_qubits;
  limits.qubits_source = target->qubits_source;
  limits.max_operations = rules.max_gates;
  limits.operations_source = "max_gates";
  limits.max_circuits = rules.max_circuits_per_job;
  limits.circuits_source = "max_circuits_per_job";
  auto parsed = formats::parse_job_input(input_format, *input, limits);
  if (parsed.error) {
    if (parsed.error->field == "input_format")
      return api_error{status::unprocessable_entity, "unsupported_format", parsed.error->message,
                       field_prefix + "input_format"};
    return bad_request("invalid_input", parsed.error->message, field_prefix + parsed.error->field);
  }
  for (std::size_t i = 0; i < parsed.input->circuits.size(); ++i) {
    const auto depth = circuit_depth(parsed.input->circuits[i]);
    if (depth <= rules.max_circuit_depth) continue;
    const auto field = parsed.input->multi ? "input[" + std::to_string(i) + "]" : std::string("input");
    return bad_request("invalid_input",
                       field + " has depth " + std::to_string(depth) + "; the limit is " +
                           std::to_string(rules.max_circuit_depth) + " (max_circuit_depth)",
                       field_prefix + field);
  }
  if (std::find(target->formats.begin(), target->formats.end(), parsed.input->format) == target->formats.end())
    return api_error{status::unprocessable_entity, "unsupported_format",
                     "target '" + row.target + "' does not run " + parsed.input->format, field_prefix + "input_format"};

  if (target->dialect != target_dialect::embedded) {
    // Translated into the provider's format now, so that what it cannot run is
    // refused at submission, naming the gate, and not after a round trip.
    const json::value params_value(params);
    remote::job_spec spec;
    spec.job_id = row.id;
    spec.name = row.name;
    spec.target = row.target;
    spec.shots = static_cast<std::uint64_t>(row.shots);
    spec.input = &*parsed.input;
    spec.params = &params_value;
    if (auto refused = provider_refusal(target->dialect, spec))
      return bad_request("invalid_input", refused->message, field_prefix + refused->field);
  }

  row.input_format = parsed.input->format;
  row.input = json::serialize(*input);
  row.params = json::serialize(params);
  row.created_at = micros_now();
  row.fingerprint = sha256_hex(fingerprint_text(row));
  return row;
}

}  // namespace qjob::daemon
