// The OpenAPI documents of the embedded API server: for every resource of the catalog, only the
// PATCH operation of its item path, declaring the "fieldValidation" query parameter and tagged
// with the resource's group, version and kind. That is what kubectl reads to decide that the
// server validates fields itself (discovery.h explains what kubectl requests and why this is
// enough). Pure functions of the catalog's current content; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "apiserver/resource_catalog.h"

namespace devflow::apiserver {

// The OpenAPI v3 index (GET /openapi/v3): {"paths":{"api/v1":{"serverRelativeURL":
// "/openapi/v3/api/v1?hash=H"},"apis/G/V":{...}}} with one entry per served group version; H is
// a hash of that group version's document, so it changes when a CRD changes the document.
std::string OpenApiV3Index(const ResourceCatalog& catalog);

// The OpenAPI 3.0 document of one group version (GET /openapi/v3/api/v1 with group "", or
// /openapi/v3/apis/G/V), or nullopt when the catalog serves nothing there.
std::optional<std::string> OpenApiV3Document(const ResourceCatalog& catalog, std::string_view group,
                                             std::string_view version);

// The Swagger 2.0 document of every served resource (GET /openapi/v2), as JSON text.
std::string OpenApiV2Json(const ResourceCatalog& catalog);
// The same document encoded as gnostic's openapi_v2.Document protobuf message, which kubectl
// asks for (Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf).
std::string OpenApiV2Protobuf(const ResourceCatalog& catalog);

}  // namespace devflow::apiserver
