"""Compatibility module: Motor 3's ``motor.docstrings``, the docstrings of Motor's methods.

It holds no logic and no prose of its own: each ``*_doc`` name is the docstring of the
Motor 4 method it documented in Motor 3 (which is PyMongo's, for most methods). Motor 3's
``mr_doc`` documented ``map_reduce``, which PyMongo 4 removed, and has no counterpart.
"""

from motor.core import AgnosticClient, AgnosticCollection, AgnosticCursor, AgnosticDatabase
from motor.core.encryption import AgnosticClientEncryption
from motor.gridfs import AgnosticGridFSBucket

get_database_doc = AgnosticClient.get_database.__doc__
get_default_database_doc = AgnosticClient.get_default_database.__doc__
start_session_doc = AgnosticClient.start_session.__doc__
list_collection_names_doc = AgnosticDatabase.list_collection_names.__doc__
cmd_doc = AgnosticDatabase.command.__doc__
bulk_write_doc = AgnosticCollection.bulk_write.__doc__
create_index_doc = AgnosticCollection.create_index.__doc__
create_indexes_doc = AgnosticCollection.create_indexes.__doc__
delete_many_doc = AgnosticCollection.delete_many.__doc__
delete_one_doc = AgnosticCollection.delete_one.__doc__
drop_doc = AgnosticCollection.drop.__doc__
find_one_doc = AgnosticCollection.find_one.__doc__
find_one_and_delete_doc = AgnosticCollection.find_one_and_delete.__doc__
find_one_and_replace_doc = AgnosticCollection.find_one_and_replace.__doc__
find_one_and_update_doc = AgnosticCollection.find_one_and_update.__doc__
index_information_doc = AgnosticCollection.index_information.__doc__
insert_many_doc = AgnosticCollection.insert_many.__doc__
insert_one_doc = AgnosticCollection.insert_one.__doc__
replace_one_doc = AgnosticCollection.replace_one.__doc__
update_many_doc = AgnosticCollection.update_many.__doc__
update_one_doc = AgnosticCollection.update_one.__doc__
cursor_sort_doc = AgnosticCursor.sort.__doc__
where_doc = AgnosticCursor.where.__doc__
create_data_key_doc = AgnosticClientEncryption.create_data_key.__doc__
close_doc = AgnosticClientEncryption.close.__doc__
gridfs_delete_doc = AgnosticGridFSBucket.delete.__doc__
gridfs_download_to_stream_doc = AgnosticGridFSBucket.download_to_stream.__doc__
gridfs_download_to_stream_by_name_doc = AgnosticGridFSBucket.download_to_stream_by_name.__doc__
gridfs_open_download_stream_doc = AgnosticGridFSBucket.open_download_stream.__doc__
gridfs_open_download_stream_by_name_doc = AgnosticGridFSBucket.open_download_stream_by_name.__doc__
gridfs_open_upload_stream_doc = AgnosticGridFSBucket.open_upload_stream.__doc__
gridfs_open_upload_stream_with_id_doc = AgnosticGridFSBucket.open_upload_stream_with_id.__doc__
gridfs_rename_doc = AgnosticGridFSBucket.rename.__doc__
gridfs_upload_from_stream_doc = AgnosticGridFSBucket.upload_from_stream.__doc__
gridfs_upload_from_stream_with_id_doc = AgnosticGridFSBucket.upload_from_stream_with_id.__doc__
