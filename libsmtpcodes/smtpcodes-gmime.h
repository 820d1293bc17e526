/* smtpcodes-gmime.h: GMime, loaded when the first bounce is read (private)
 *
 * GMime and what it links (GIO, GPGME, libidn2, ...) cost a program about 2.5 ms to load
 * at start-up, while most programs that use the library never read a bounce: explaining
 * "550" took 6.4 ms of which 2.5 were GMime's.  So the library does not link GMime; the
 * bounce analyser includes this header after <gmime/gmime.h>, which turns each GMime
 * function it calls into a pointer that _smtpcodes_gmime_load() fills in with dlopen()
 * on first use.  So is what the analyser calls of GObject, which the library does not link
 * either (smtpcodes-private.h): GMime links it, and the analyser calls it only on GMime's
 * objects, once GMime is loaded; dlsym() finds it through GMime.
 *
 * A GMime function the analyser starts to use goes into the list below; forgetting it
 * is a link error (the library is linked with -no-undefined), not a silent fallback.
 */
#pragma once

#include <glib.h>
#include <gmime/gmime.h>

#define SMTPCODES_GMIME_SYMBOLS(X) \
  X (g_mime_init) \
  X (g_mime_charset_iconv_name) \
  X (g_mime_content_encoding_from_string) \
  X (g_mime_content_type_get_media_subtype) \
  X (g_mime_content_type_get_media_type) \
  X (g_mime_content_type_get_parameter) \
  X (g_mime_content_type_parse) \
  X (g_mime_data_wrapper_get_stream) \
  X (g_mime_data_wrapper_write_to_stream) \
  X (g_mime_encoding_init_decode) \
  X (g_mime_encoding_step) \
  X (g_mime_message_get_message_id) \
  X (g_mime_message_get_mime_part) \
  X (g_mime_message_get_subject) \
  X (g_mime_message_get_type) \
  X (g_mime_message_part_get_message) \
  X (g_mime_message_part_get_type) \
  X (g_mime_multipart_get_count) \
  X (g_mime_multipart_get_part) \
  X (g_mime_multipart_get_prologue) \
  X (g_mime_multipart_get_type) \
  X (g_mime_object_get_content_type) \
  X (g_mime_object_get_content_type_parameter) \
  X (g_mime_object_get_disposition) \
  X (g_mime_object_get_header) \
  X (g_mime_object_get_type) \
  X (g_mime_parser_construct_part) \
  X (g_mime_parser_init_with_stream) \
  X (g_mime_parser_new_with_stream) \
  X (g_mime_parser_set_format) \
  X (g_mime_part_get_content) \
  X (g_mime_part_get_filename) \
  X (g_mime_part_get_type) \
  X (g_mime_stream_cat_add_source) \
  X (g_mime_stream_cat_get_type) \
  X (g_mime_stream_cat_new) \
  X (g_mime_stream_get_type) \
  X (g_mime_stream_length) \
  X (g_mime_stream_mem_get_type) \
  X (g_mime_stream_mem_new) \
  X (g_mime_stream_mem_new_with_buffer) \
  X (g_mime_stream_mem_new_with_byte_array) \
  X (g_mime_stream_mem_set_owner) \
  X (g_mime_stream_substream) \
  X (g_mime_utils_decode_message_id) \
  X (g_mime_utils_header_decode_text) \
  X (g_object_ref) \
  X (g_object_unref) \
  X (g_type_check_instance_cast) \
  X (g_type_check_instance_is_a)

typedef struct {
#define SMTPCODES_GMIME_MEMBER(name) __typeof__ (&name) name;
  SMTPCODES_GMIME_SYMBOLS (SMTPCODES_GMIME_MEMBER)
#undef SMTPCODES_GMIME_MEMBER
} SmtpcodesGMime;

G_GNUC_INTERNAL extern SmtpcodesGMime _smtpcodes_gmime;

/* Loads GMime (once, thread-safe) and calls g_mime_init(). FALSE with error set
 * (SMTPCODES_ERROR_IO) when it is not installed or lacks a symbol. */
G_GNUC_INTERNAL gboolean _smtpcodes_gmime_load (GError **error);

#ifndef SMTPCODES_GMIME_LOADER
/* from here on every call of a listed function goes through the table */
#define g_mime_init (*_smtpcodes_gmime.g_mime_init)
#define g_mime_charset_iconv_name (*_smtpcodes_gmime.g_mime_charset_iconv_name)
#define g_mime_content_encoding_from_string (*_smtpcodes_gmime.g_mime_content_encoding_from_string)
#define g_mime_content_type_get_media_subtype (*_smtpcodes_gmime.g_mime_content_type_get_media_subtype)
#define g_mime_content_type_get_media_type (*_smtpcodes_gmime.g_mime_content_type_get_media_type)
#define g_mime_content_type_get_parameter (*_smtpcodes_gmime.g_mime_content_type_get_parameter)
#define g_mime_content_type_parse (*_smtpcodes_gmime.g_mime_content_type_parse)
#define g_mime_data_wrapper_get_stream (*_smtpcodes_gmime.g_mime_data_wrapper_get_stream)
#define g_mime_data_wrapper_write_to_stream (*_smtpcodes_gmime.g_mime_data_wrapper_write_to_stream)
#define g_mime_encoding_init_decode (*_smtpcodes_gmime.g_mime_encoding_init_decode)
#define g_mime_encoding_step (*_smtpcodes_gmime.g_mime_encoding_step)
#define g_mime_message_get_message_id (*_smtpcodes_gmime.g_mime_message_get_message_id)
#define g_mime_message_get_mime_part (*_smtpcodes_gmime.g_mime_message_get_mime_part)
#define g_mime_message_get_subject (*_smtpcodes_gmime.g_mime_message_get_subject)
#define g_mime_message_get_type (*_smtpcodes_gmime.g_mime_message_get_type)
#define g_mime_message_part_get_message (*_smtpcodes_gmime.g_mime_message_part_get_message)
#define g_mime_message_part_get_type (*_smtpcodes_gmime.g_mime_message_part_get_type)
#define g_mime_multipart_get_count (*_smtpcodes_gmime.g_mime_multipart_get_count)
#define g_mime_multipart_get_part (*_smtpcodes_gmime.g_mime_multipart_get_part)
#define g_mime_multipart_get_prologue (*_smtpcodes_gmime.g_mime_multipart_get_prologue)
#define g_mime_multipart_get_type (*_smtpcodes_gmime.g_mime_multipart_get_type)
#define g_mime_object_get_content_type (*_smtpcodes_gmime.g_mime_object_get_content_type)
#define g_mime_object_get_content_type_parameter (*_smtpcodes_gmime.g_mime_object_get_content_type_parameter)
#define g_mime_object_get_disposition (*_smtpcodes_gmime.g_mime_object_get_disposition)
#define g_mime_object_get_header (*_smtpcodes_gmime.g_mime_object_get_header)
#define g_mime_object_get_type (*_smtpcodes_gmime.g_mime_object_get_type)
#define g_mime_parser_construct_part (*_smtpcodes_gmime.g_mime_parser_construct_part)
#define g_mime_parser_init_with_stream (*_smtpcodes_gmime.g_mime_parser_init_with_stream)
#define g_mime_parser_new_with_stream (*_smtpcodes_gmime.g_mime_parser_new_with_stream)
#define g_mime_parser_set_format (*_smtpcodes_gmime.g_mime_parser_set_format)
#define g_mime_part_get_content (*_smtpcodes_gmime.g_mime_part_get_content)
#define g_mime_part_get_filename (*_smtpcodes_gmime.g_mime_part_get_filename)
#define g_mime_part_get_type (*_smtpcodes_gmime.g_mime_part_get_type)
#define g_mime_stream_cat_add_source (*_smtpcodes_gmime.g_mime_stream_cat_add_source)
#define g_mime_stream_cat_get_type (*_smtpcodes_gmime.g_mime_stream_cat_get_type)
#define g_mime_stream_cat_new (*_smtpcodes_gmime.g_mime_stream_cat_new)
#define g_mime_stream_get_type (*_smtpcodes_gmime.g_mime_stream_get_type)
#define g_mime_stream_length (*_smtpcodes_gmime.g_mime_stream_length)
#define g_mime_stream_mem_get_type (*_smtpcodes_gmime.g_mime_stream_mem_get_type)
#define g_mime_stream_mem_new (*_smtpcodes_gmime.g_mime_stream_mem_new)
#define g_mime_stream_mem_new_with_buffer (*_smtpcodes_gmime.g_mime_stream_mem_new_with_buffer)
#define g_mime_stream_mem_new_with_byte_array (*_smtpcodes_gmime.g_mime_stream_mem_new_with_byte_array)
#define g_mime_stream_mem_set_owner (*_smtpcodes_gmime.g_mime_stream_mem_set_owner)
#define g_mime_stream_substream (*_smtpcodes_gmime.g_mime_stream_substream)
#define g_mime_utils_decode_message_id (*_smtpcodes_gmime.g_mime_utils_decode_message_id)
#define g_mime_utils_header_decode_text (*_smtpcodes_gmime.g_mime_utils_header_decode_text)
/* (GObject's own g_object_ref macro, which keeps the argument's type, gives way) */
#undef g_object_ref
#define g_object_ref (*_smtpcodes_gmime.g_object_ref)
#define g_object_unref (*_smtpcodes_gmime.g_object_unref)
#define g_type_check_instance_cast (*_smtpcodes_gmime.g_type_check_instance_cast)
#define g_type_check_instance_is_a (*_smtpcodes_gmime.g_type_check_instance_is_a)
#endif
