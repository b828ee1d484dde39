// DicomTags from a loaded file.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "dicom/internal.h"

namespace refluxscan::dicom::internal {
namespace {

// The meta header's UID is authoritative: DCMTK reads syntaxes it does not know (JPEG XL) as
// explicit little endian, so the dataset's own transfer syntax would hide them.
std::string TransferSyntaxUid(DcmFileFormat& file) {
  std::string uid = GetString(*file.getMetaInfo(), DCM_TransferSyntaxUID);
  if (!uid.empty()) return uid;
  const DcmXfer xfer(file.getDataset()->getOriginalXfer());
  return xfer.getXfer() == EXS_Unknown ? std::string() : std::string(xfer.getXferID());
}

}  // namespace

DicomTags ReadTags(DcmFileFormat& file) {
  DcmDataset& ds = *file.getDataset();
  DicomTags t;
  t.sop_class_uid = GetString(ds, DCM_SOPClassUID);
  if (t.sop_class_uid.empty())
    t.sop_class_uid = GetString(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  t.sop_class_name = SopClassName(t.sop_class_uid);
  t.sop_instance_uid = GetString(ds, DCM_SOPInstanceUID);
  t.study_instance_uid = GetString(ds, DCM_StudyInstanceUID);
  t.series_instance_uid = GetString(ds, DCM_SeriesInstanceUID);
  t.transfer_syntax_uid = TransferSyntaxUid(file);
  t.transfer_syntax_name = TransferSyntaxNameOf(t.transfer_syntax_uid);
  t.modality = GetString(ds, DCM_Modality);
  t.manufacturer = GetString(ds, DCM_Manufacturer);
  t.model = GetString(ds, DCM_ManufacturerModelName);
  t.patient_id = GetString(ds, DCM_PatientID);
  t.patient_name = GetString(ds, DCM_PatientName);
  t.study_date = GetString(ds, DCM_StudyDate);
  t.study_description = GetString(ds, DCM_StudyDescription);
  t.accession_number = GetString(ds, DCM_AccessionNumber);
  t.laterality = GetString(ds, DCM_Laterality);
  t.image_laterality = GetString(ds, DCM_ImageLaterality);
  t.image_comments = GetString(ds, DCM_ImageComments);
  t.series_description = GetString(ds, DCM_SeriesDescription);
  t.protocol_name = GetString(ds, DCM_ProtocolName);
  t.acquisition_device_processing_description =
      GetString(ds, DCM_AcquisitionDeviceProcessingDescription);
  return t;
}

}  // namespace refluxscan::dicom::internal
