// RestHandler over real HTTP: what the embedded server does for the kinds the one-machine
// runtime serves (issue 4): Services get loopback cluster IPs, and pods bound to a node are
// deleted gracefully, leaving their kubelet time to stop the processes.
#include <gtest/gtest.h>

#include <string>

#include "apiserver/rest_testing.h"

namespace devflow::apiserver {
namespace {

using rest_testing::ParseOrDie;
using rest_testing::RestFixture;
using rest_testing::Str;

constexpr char kServices[] = "/api/v1/namespaces/default/services";
constexpr char kPods[] = "/api/v1/namespaces/default/pods";

std::string ServiceJson(const std::string& name, const std::string& cluster_ip = "") {
  return R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name + R"("},"spec":{)" +
         (cluster_ip.empty() ? "" : R"("clusterIP":")" + cluster_ip + R"(",)") +
         R"("selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}})";
}

std::string PodJson(const std::string& name, const std::string& node_name,
                    const std::string& extra_spec = "") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"("},"spec":{)" +
         (node_name.empty() ? "" : R"("nodeName":")" + node_name + R"(",)") + extra_spec +
         R"("containers":[{"name":"app","image":"demo:blue"}]}})";
}

class RestNodeKindsTest : public RestFixture {};

TEST_F(RestNodeKindsTest, ServicesGetTheirOwnLoopbackAddress) {
  json::Value active = MustCreate(kServices, ServiceJson("active"));
  json::Value preview = MustCreate(kServices, ServiceJson("preview"));
  const std::string active_ip = Str(active, "spec.clusterIP");
  EXPECT_TRUE(active_ip.starts_with("127.1.")) << active_ip;
  EXPECT_NE(active_ip, Str(preview, "spec.clusterIP"));

  // An update that leaves clusterIP out (kubectl replace of the original manifest) keeps it.
  json::Value replaced = ParseOrDie(ServiceJson("active"));
  replaced["metadata"].as_object().Set("resourceVersion",
                                       json::Value(Str(active, "metadata.resourceVersion")));
  http::Response response = Put(std::string(kServices) + "/active", json::Write(replaced));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Str(ParseOrDie(response.body), "spec.clusterIP"), active_ip);

  // Changing it is refused; taking another Service's is refused.
  json::Value moved = ParseOrDie(ServiceJson("active", "127.1.200.1"));
  response = Put(std::string(kServices) + "/active", json::Write(moved));
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_NE(response.body.find("field is immutable"), std::string::npos) << response.body;
  response = Post(kServices, ServiceJson("thief", active_ip));
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_NE(response.body.find("provided IP is already allocated"), std::string::npos)
      << response.body;
  EXPECT_EQ(Get(std::string(kServices) + "/thief").status, 404) << "nothing half-written";
}

TEST_F(RestNodeKindsTest, BoundPodsAreDeletedGracefully) {
  MustCreate(kPods, PodJson("bound", "devflow-node", R"("terminationGracePeriodSeconds":20,)"));
  MustCreate(kPods, PodJson("unbound", ""));

  // Unbound: nothing runs it, so it goes at once.
  ASSERT_EQ(Delete(std::string(kPods) + "/unbound").status, 200);
  EXPECT_EQ(Get(std::string(kPods) + "/unbound").status, 404);

  // Bound: marked with its own grace period, and kept.
  http::Response response = Delete(std::string(kPods) + "/bound");
  ASSERT_EQ(response.status, 200) << response.body;
  json::Value marked = ParseOrDie(response.body);
  EXPECT_EQ(Str(marked, "metadata.deletionGracePeriodSeconds"), "20");
  EXPECT_EQ(Str(marked, "metadata.deletionTimestamp"), "2026-11-23T10:00:20Z");
  EXPECT_EQ(Get(std::string(kPods) + "/bound").status, 200);

  // A shorter grace shortens it; a longer one does not extend it.
  response = Delete(std::string(kPods) + "/bound?gracePeriodSeconds=5");
  EXPECT_EQ(Str(ParseOrDie(response.body), "metadata.deletionGracePeriodSeconds"), "5");
  response = Delete(std::string(kPods) + "/bound?gracePeriodSeconds=60");
  EXPECT_EQ(Str(ParseOrDie(response.body), "metadata.deletionGracePeriodSeconds"), "5");

  // The kubelet's final delete, with grace 0 in the body, removes it.
  response = Delete(std::string(kPods) + "/bound",
                    R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Get(std::string(kPods) + "/bound").status, 404);
}

}  // namespace
}  // namespace devflow::apiserver
