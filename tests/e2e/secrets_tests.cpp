// Provider keys never leave qjobd: after a full run on every remote provider
// (IonQ, Origin QCloud, Azure Quantum with a workspace key and with Entra client
// credentials), a key refused and then fixed by a reload, refusals and failures,
// none of the known secrets is in the log, in any API answer (jobs, results,
// targets and their health messages, events, metrics, errors) or anywhere in the
// state directory (the database, its WAL, the results).

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"
#include "sse_client.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

const std::string ionq_key = "ionq-SECRET-7c41e2";
const std::string wrong_ionq_key = "ionq-WRONG-SECRET-90d3";
const std::string qcloud_key = "qcloud-SECRET-b83f10";
const std::string azure_key = "azure-SECRET-e5a7c9";
const std::string entra_secret = "entra-SECRET-4d2b86";

const std::string retries =
    "requests_per_second = 1000.0\nrequest_timeout_ms = 2000\nbackoff_initial_ms = 20\nbackoff_max_ms = 200\n"
    "retry_budget_ms = 3000\nbreaker_cool_down_ms = 200\n";

std::string providers_config(const fake_ionq_thread& ionq, const fake_qcloud_thread& qcloud,
                             const fake_azure_thread& azure, const key_file& ionq_file, const key_file& qcloud_file,
                             const key_file& azure_file, const key_file& entra_file) {
  const auto workspace = [&](const std::string& name) {
    return "[[providers]]\nname = \"" + name + "\"\ntype = \"azure\"\nendpoint = \"" + azure.base_url() +
           "\"\nsubscription = \"00000000-0000-0000-0000-000000000000\"\nresource_group = \"myresourcegroup\"\n"
           "workspace = \"myworkspace\"\n" + retries;
  };
  return "poll_initial_ms = 30\npoll_max_ms = 300\n"
         "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n"
         "[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\nbase_url = \"" + ionq.base_url() +
         "\"\napi_key_file = \"" + ionq_file.path().string() + "\"\n" + retries +
         "[[providers]]\nname = \"qcloud\"\ntype = \"qcloud\"\nbase_url = \"" + qcloud.base_url() +
         "\"\napi_key_file = \"" + qcloud_file.path().string() + "\"\n" + retries +
         workspace("azure-key") + "api_key_file = \"" + azure_file.path().string() + "\"\n" +
         workspace("azure-entra") + "tenant_id = \"11111111-1111-1111-1111-111111111111\"\nclient_id = \"qjob-client\"\n"
         "client_secret_file = \"" + entra_file.path().string() + "\"\nauthority = \"" + azure.base_url() + "\"\n";
}

/// Every byte of every regular file under `directory`.
std::string files_under(const std::filesystem::path& directory) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(secrets_tests)

BOOST_AUTO_TEST_CASE(no_provider_key_is_in_the_log_the_answers_or_the_state_directory_after_a_full_run) {
  fakes::fake_ionq_options ionq_options;
  ionq_options.api_key = ionq_key;
  fake_ionq_thread ionq(ionq_options);
  fakes::fake_qcloud_options qcloud_options;
  qcloud_options.api_key = qcloud_key;
  fake_qcloud_thread qcloud(qcloud_options);
  fakes::fake_azure_options azure_options;
  azure_options.api_key = azure_key;
  azure_options.client_secret = entra_secret;
  fake_azure_thread azure(azure_options);
  key_file ionq_file(wrong_ionq_key), qcloud_file(qcloud_key), azure_file(azure_key), entra_file(entra_secret);
  const auto config = providers_config(ionq, qcloud, azure, ionq_file, qcloud_file, azure_file, entra_file);
  daemon_process daemon(daemon_options{.config = config});

  std::string answers;  // every API answer's body
  const auto keep = [&](const test::http_answer& answer) {
    answers += answer.body + "\n";
    return answer;
  };

  // The IonQ key is refused first: its jobs wait, its health says why.
  const auto waiting = text(submit(daemon, job_of(bell_input(), {{"provider", "ionq"}})), "id");
  eventually([&] { return text(health_of(daemon, "ionq"), "status") == "unhealthy"; }, "ionq is unhealthy");
  keep(daemon.get("/v1/targets"));
  keep(daemon.get("/v1/jobs/" + waiting + "?history=1"));

  // Jobs on every provider; a refusal at submission and a failure at the provider.
  std::vector<std::string> ids{waiting};
  for (const char* provider : {"qcloud", "azure-key", "azure-entra", "local"})
    ids.push_back(text(submit(daemon, job_of(bell_input(), {{"provider", provider}})), "id"));
  keep(daemon.post_json("/v1/jobs", job_of(bell_input(), {{"provider", "ionq"}, {"target", "qpu.nowhere"}})));
  keep(daemon.post("/v1/jobs", "{not json", "application/json"));
  // The right key, by a reload; then a job IonQ refuses (400).
  std::ofstream(ionq_file.path()) << ionq_key << "\n";
  daemon.reload(config);
  BOOST_TEST(text(wait_final(daemon, waiting), "status") == "succeeded");
  ionq.call([](fakes::fake_ionq& f) {
    f.set_faults(faults("post:400:count=1"));
    return 0;
  });
  const auto refused = text(submit(daemon, job_of(bell_input(), {{"provider", "ionq"}})), "id");
  ids.push_back(refused);
  for (const auto& id : ids) {
    const auto job = wait_final(daemon, id);
    BOOST_TEST((text(job, "status") == "succeeded" || id == refused), json::serialize(job));
  }
  BOOST_TEST(text(get_job(daemon, refused), "status") == "failed");

  for (const auto& id : ids) {
    keep(daemon.get("/v1/jobs/" + id + "?history=1"));
    keep(daemon.get("/v1/jobs/" + id + "/result"));
  }
  for (const char* path : {"/v1/jobs?limit=100", "/v1/targets", "/v1/health", "/metrics"}) keep(daemon.get(path));
  {
    sse_client events(daemon.socket(), "/v1/events?job=" + waiting);
    events.wait_for(3, std::chrono::seconds(10));
    answers += events.raw();
  }
  BOOST_TEST(daemon.terminate() == 0);

  const auto log = daemon.log();
  const auto stored = files_under(daemon.state_dir());
  BOOST_TEST(log.find("qjobd ready") != std::string::npos);
  BOOST_TEST(answers.find(waiting) != std::string::npos);
  BOOST_TEST(!stored.empty());
  for (const auto& secret : {ionq_key, wrong_ionq_key, qcloud_key, azure_key, entra_secret}) {
    BOOST_TEST(log.find(secret) == std::string::npos, secret << " is in the log");
    BOOST_TEST(answers.find(secret) == std::string::npos, secret << " is in an API answer");
    BOOST_TEST(stored.find(secret) == std::string::npos, secret << " is in the state directory");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
