package httpapi

import (
	"strings"

	"github.com/checkin-oss/checkin"
)

// resourceOps are an entity's operations, from its one declaration.
func resourceOps(s *checkin.Schema) map[string]op {
	tags := []string{s.Name}
	role := func(action string) string { return " Needs the role " + s.Name + "-" + action + " (or IsAdmin)." }
	body := op{"required": true, "content": op{
		"application/json":                  op{"schema": ref(s.Name)},
		"application/x-www-form-urlencoded": op{"schema": ref(s.Name)},
	}}
	errs := op{"400": jsonResponse("A field does not parse or validate: Message and Errors name it.", ref("ErrorBody")),
		"401": jsonResponse("No valid Bearer token or Basic credentials.", ref("ErrorBody")),
		"403": jsonResponse("The role is missing, or the record is of a location outside the user's Businesses.", ref("ErrorBody"))}
	with := func(o op, codes op) op {
		responses := op{}
		for k, v := range errs {
			responses[k] = v
		}
		for k, v := range codes {
			responses[k] = v
		}
		o["responses"], o["tags"] = responses, tags
		return o
	}
	item := s.Path + "/{id}"
	ops := map[string]op{
		"GET " + s.Path: with(op{"summary": "List " + s.Name + " records, a page at a time." + role(checkin.ActionList), "parameters": listParams(s)},
			op{"200": jsonResponse("A page of records.", pageOf(s.Name))}),
		"GET " + item: with(op{"summary": "One " + s.Name + "." + role(checkin.ActionRead), "parameters": []any{idParam}},
			op{"200": jsonResponse("The record.", ref(s.Name)), "404": jsonResponse("No such record.", ref("ErrorBody"))}),
	}
	if s.ReadOnly {
		for _, pattern := range []string{"POST " + s.Path, "PUT " + s.Path, "PUT " + item, "PATCH " + item, "DELETE " + item} {
			ops[pattern] = op{"summary": s.Name + " records are read-only.", "tags": tags,
				"responses": op{"405": jsonResponse("Read-only; Allow: GET, HEAD.", ref("ErrorBody"))}}
		}
		return ops
	}
	updated := op{"200": jsonResponse("Done.", ref("UpdateAnswer"))}
	missing := op{"200": jsonResponse("Done.", ref("UpdateAnswer")), "404": jsonResponse("No such record.", ref("ErrorBody"))}
	ops["POST "+s.Path] = with(op{"summary": "Create a " + s.Name + "." + role(checkin.ActionCreate), "requestBody": body}, updated)
	ops["PUT "+s.Path] = with(op{"summary": "Replace the " + s.Name + " whose Id is in the body: fields left out are cleared, as in Nexudus." + role(checkin.ActionEdit), "requestBody": body}, missing)
	ops["PATCH "+item] = with(op{"summary": "Change only the fields named (a JSON merge patch, RFC 7396)." + role(checkin.ActionEdit), "parameters": []any{idParam},
		"requestBody": op{"required": true, "content": op{"application/merge-patch+json": op{"schema": ref(s.Name)}, "application/json": op{"schema": ref(s.Name)},
			"application/x-www-form-urlencoded": op{"schema": ref(s.Name)}}}}, missing)
	ops["DELETE "+item] = with(op{"summary": "Delete a " + s.Name + "." + role(checkin.ActionDelete), "parameters": []any{idParam}},
		op{"200": jsonResponse("Done.", ref("UpdateAnswer")), "404": jsonResponse("No such record.", ref("ErrorBody")),
			"409": jsonResponse("Other records still refer to it.", ref("ErrorBody"))})
	return ops
}

// listParams are a list's paging, ordering and filters.
func listParams(s *checkin.Schema) []any {
	q := func(name, description string, schema op) op {
		return op{"name": name, "in": "query", "description": description, "schema": schema}
	}
	params := []any{
		q("page", "The page, from 1.", op{"type": "integer", "minimum": 1, "default": 1}),
		q("size", "Records per page.", op{"type": "integer", "minimum": 1, "maximum": checkin.MaxPageSize, "default": checkin.DefaultPageSize}),
		q("orderBy", "A field name.", op{"type": "string", "default": s.OrderBy}),
		q("dir", "1 or Ascending, -1 or Descending.", op{"type": "string"}),
		q("id", "Several records: [1,2,3].", op{"type": "string"}),
	}
	for _, f := range s.Fields {
		if f.Kind == checkin.KindList || f.Column == "" && !f.Credential {
			continue
		}
		name := s.Name + "_" + f.FilterName()
		how := "Matches exactly; null matches an empty field."
		switch {
		case f.Credential:
			how = "A credential: matches the whole value (one card of a list), never a part."
		case f.Ref != "":
			how = "The id of the " + f.Ref + "; " + s.Name + "_" + f.FilterName() + "_{Field} filters by a field of it (needs " + f.Ref + "-List, and never a credential)."
		case f.Kind == checkin.KindText:
			how = "Matches a part of the text, in any case; null matches an empty field."
		}
		params = append(params, q(name, how, op{"type": "string"}))
		if f.Kind == checkin.KindInt || f.Kind == checkin.KindTime || f.Kind == checkin.KindLocalTime {
			params = append(params, q("from_"+name, "On or after / at least; inclusive.", op{"type": "string"}),
				q("to_"+name, "On or before / at most; inclusive.", op{"type": "string"}))
		}
	}
	return params
}

// entitySchema is the JSON Schema of an entity's record.
func entitySchema(s *checkin.Schema) op {
	props := op{}
	var required []string
	for _, f := range s.Fields {
		p := kindSchema(f)
		if f.ReadOnly {
			p["readOnly"] = true
		}
		if f.WriteOnly || f.Name == "Password" {
			p["writeOnly"] = true
		}
		if f.Ref != "" {
			p["description"] = "The id of a " + f.Ref + "."
		}
		if f.Enum != "" {
			p["description"] = "A number, or its name in any letter case: " + checkin.EnumNames(f.Enum) + "."
		}
		props[f.Name] = p
		if f.Required {
			required = append(required, f.Name)
		}
	}
	out := op{"type": "object", "properties": props, "description": "Path " + s.Path + "; required on create and replace: " + strings.Join(required, ", ") + "."}
	if required != nil {
		out["required"] = required
	}
	return out
}

func kindSchema(f *checkin.Field) op {
	var p op
	switch f.Kind {
	case checkin.KindInt:
		p = op{"type": "integer", "format": "int64"}
	case checkin.KindBool:
		p = op{"type": "boolean"}
	case checkin.KindTime:
		p = op{"type": "string", "format": "date-time"}
	case checkin.KindLocalTime:
		p = op{"type": "string", "description": "The location's wall-clock time, without a zone: 2025-01-15T10:30:00."}
	case checkin.KindList:
		p = op{"type": "array", "items": op{"type": "string"}}
		if f.Name == "Teams" || f.Name == "Businesses" {
			p["items"] = op{"type": "integer", "format": "int64"}
		}
	default:
		p = op{"type": "string"}
	}
	if f.Nullable {
		p["type"] = []any{p["type"], "null"}
	}
	return p
}

func pageOf(name string) op {
	props := op{"Records": op{"type": "array", "items": ref(name)}}
	for _, f := range []string{"CurrentPageSize", "CurrentPage", "CurrentSortDirection", "FirstItem", "LastItem", "PageNumber", "PageSize", "TotalItems", "TotalPages"} {
		props[f] = op{"type": "integer"}
	}
	props["CurrentOrderField"] = op{"type": "string"}
	props["HasNextPage"], props["HasPreviousPage"] = op{"type": "boolean"}, op{"type": "boolean"}
	return op{"type": "object", "properties": props}
}

// componentSchemas are the shapes of the routes that are not an entity's.
func componentSchemas() op {
	str, boolean, integer := op{"type": "string"}, op{"type": "boolean"}, op{"type": "integer"}
	return op{
		"CheckInRequest": op{"type": "object", "description": "Keys match in any letter case; a PascalCase first key gets a PascalCase answer.", "properties": op{
			"email": str, "password": op{"type": "string", "writeOnly": true}, "pincode": str, "mac": str, "token": str, "accessCardId": str,
			"disconnect": boolean, "toggle": boolean, "doNotCheckIn": boolean}},
		"ActionConfirmation": op{"type": "object", "description": "camelCase as in checkin-endpoint.txt; PascalCase (Status, Message, Value, Errors, WasSuccessful) for a PascalCase request.", "properties": op{
			"wasSuccessful": boolean, "message": str,
			"value":  op{"type": "object", "properties": op{"fullName": str, "coworkerId": integer, "tunnelId": str, "checkedIn": boolean, "sessionExpire": str, "sessionTimeOut": integer}},
			"errors": op{"type": "array", "items": op{"type": "object", "properties": op{"propertyName": str, "message": str}}}}},
		"TokenAnswer": op{"type": "object", "properties": op{"access_token": str, "token_type": str, "expires_in": integer, "refresh_token": str}},
		"OAuthError":  op{"type": "object", "properties": op{"error": str, "error_description": str}},
		"UpdateAnswer": op{"type": "object", "properties": op{"Status": integer, "Message": str, "Value": op{"type": "object", "properties": op{"Id": integer}},
			"WasSuccessful": boolean, "Errors": op{"type": "null"}}},
		"ErrorBody": op{"type": "object", "properties": op{"Message": str, "Value": op{"type": "null"}, "WasSuccessful": boolean,
			"Errors": op{"type": []any{"array", "null"}, "items": op{"type": "object", "properties": op{"AttemptedValue": op{}, "Message": str, "PropertyName": str}}}}},
	}
}
