/* The framing of an RFC 9420 MLSMessage (section 6), as field tables:
 *
 *   struct {
 *     ProtocolVersion version = mls10;        uint16, must be 1
 *     WireFormat wire_format;                 uint16
 *     select (wire_format) {
 *       case mls_public_message:  PublicMessage;
 *       case mls_private_message: PrivateMessage;
 *     }                                       other formats are rejected
 *   } MLSMessage;
 *
 * PublicMessage is read up to FramedContent.content_type (group_id, epoch,
 * sender, authenticated_data, content_type); the content, the auth data and
 * the membership tag follow unparsed in `rest`. PrivateMessage is read whole
 * (group_id, epoch, content_type, authenticated_data, encrypted_sender_data,
 * ciphertext). The source DS needs only this framing (profile EPOCH-2).
 *
 * mm_mls_message is flat, so the nested tables below describe the same C
 * struct: their offsets are relative to it and nesting uses offset 0. The
 * nesting exists for the JSON form, which follows RFC 9420's names. */
#include "codec/schema.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define M(f) offsetof(mm_mls_message, f)

/* Sender: select (sender_type) { member: leaf_index; external:
 * sender_index; new_member_proposal, new_member_commit: nothing }. */
static const mm_field leaf_index_fields[] = {
    {.name = "leaf_index", .kind = MM_K_U32, .offset = M(sender_index)},
};
static const mm_field sender_index_fields[] = {
    {.name = "sender_index", .kind = MM_K_U32, .offset = M(sender_index)},
};
static const mm_schema sender_member = {"member", sizeof(mm_mls_message), leaf_index_fields, 1,
                                        false};
static const mm_schema sender_external = {"external", sizeof(mm_mls_message), sender_index_fields,
                                          1, false};
static const mm_schema sender_none = {"new_member", sizeof(mm_mls_message), NULL, 0, false};
static const mm_case sender_cases[] = {
    {MM_SENDER_MEMBER, NULL, &sender_member},
    {MM_SENDER_EXTERNAL, NULL, &sender_external},
    {MM_SENDER_NEW_MEMBER_PROPOSAL, NULL, &sender_none},
    {MM_SENDER_NEW_MEMBER_COMMIT, NULL, &sender_none},
};
static const mm_field sender_fields[] = {
    {.name = "sender_type",
     .kind = MM_K_U8,
     .offset = M(sender_type),
     .reason = "unknown sender_type",
     .min = MM_SENDER_MEMBER,
     .max = MM_SENDER_NEW_MEMBER_COMMIT},
    {.kind = MM_K_SELECT,
     .sel_kind = MM_K_U8,
     .sel_off = M(sender_type),
     .cases = sender_cases,
     .ncases = COUNT(sender_cases),
     .reason = "unknown sender_type"},
};
static const mm_schema sender_schema = {"sender", sizeof(mm_mls_message), sender_fields,
                                        COUNT(sender_fields), false};

#define CONTENT_TYPE                                                                          \
  {                                                                                           \
    .name = "content_type", .kind = MM_K_U8, .offset = M(content_type),                       \
    .reason = "unknown content_type", .min = MM_CONTENT_APPLICATION, .max = MM_CONTENT_COMMIT \
  }

/* FramedContent up to content_type. */
static const mm_field framed_fields[] = {
    {.name = "group_id", .kind = MM_K_GROUP_ID, .offset = M(group_id)},
    {.name = "epoch", .kind = MM_K_U64, .offset = M(epoch)},
    {.name = "sender", .kind = MM_K_STRUCT, .offset = 0, .sub = &sender_schema},
    {.name = "authenticated_data", .kind = MM_K_OPAQUE, .offset = M(authenticated_data)},
    CONTENT_TYPE,
};
static const mm_schema framed_schema = {"content", sizeof(mm_mls_message), framed_fields,
                                        COUNT(framed_fields), false};

static const mm_field public_fields[] = {
    {.name = "content", .kind = MM_K_STRUCT, .offset = 0, .sub = &framed_schema},
    {.name = "rest", .kind = MM_K_REST, .offset = M(rest)},
};
static const mm_schema public_schema = {"public_message", sizeof(mm_mls_message), public_fields,
                                        COUNT(public_fields), false};

static const mm_field private_fields[] = {
    {.name = "group_id", .kind = MM_K_GROUP_ID, .offset = M(group_id)},
    {.name = "epoch", .kind = MM_K_U64, .offset = M(epoch)},
    CONTENT_TYPE,
    {.name = "authenticated_data", .kind = MM_K_OPAQUE, .offset = M(authenticated_data)},
    {.name = "encrypted_sender_data", .kind = MM_K_OPAQUE, .offset = M(encrypted_sender_data)},
    {.name = "ciphertext", .kind = MM_K_OPAQUE, .offset = M(ciphertext)},
};
static const mm_schema private_schema = {"private_message", sizeof(mm_mls_message), private_fields,
                                         COUNT(private_fields), false};

static const mm_case wire_cases[] = {
    {MM_WIRE_PUBLIC, "public_message", &public_schema},
    {MM_WIRE_PRIVATE, "private_message", &private_schema},
};

static const mm_field mls_message_fields[] = {
    {.name = "version",
     .kind = MM_K_U16,
     .offset = M(version),
     .reason = "version must be 1 (mls10)",
     .min = MM_MLS10,
     .max = MM_MLS10},
    /* Welcome, GroupInfo and KeyPackage are not migration traffic. */
    {.name = "wire_format",
     .kind = MM_K_U16,
     .offset = M(wire_format),
     .reason = "wire_format not supported",
     .min = MM_WIRE_PUBLIC,
     .max = MM_WIRE_PRIVATE},
    {.kind = MM_K_SELECT,
     .sel_kind = MM_K_U16,
     .sel_off = M(wire_format),
     .cases = wire_cases,
     .ncases = COUNT(wire_cases),
     .reason = "wire_format not supported"},
};

const mm_schema mm_schema_mls_message = {"mls_message", sizeof(mm_mls_message), mls_message_fields,
                                         COUNT(mls_message_fields), false};
